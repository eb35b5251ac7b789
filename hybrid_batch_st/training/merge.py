"""Weight-space ensembling of a fine-tuned model with the model it started from."""

from __future__ import annotations

__all__ = ["merge_with_base"]


def merge_with_base(model, base, weight: float) -> None:
    """In place: every floating-point weight becomes ``weight * fine-tuned + (1 - weight) * base``.

    Args:
        model: the fine-tuned model (changed in place).
        base: the model it was fine-tuned from (same architecture).
        weight: the fine-tuned share; 1 keeps ``model`` as it is (``TrainConfig.merge_with_base``).
    """
    import torch

    base_state = base.state_dict()
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                if name not in base_state or base_state[name].shape != tensor.shape:
                    raise ValueError(f"cannot merge with the base model: its weights lack {name!r} of shape "
                                     f"{tuple(tensor.shape)}; merge_with_base needs the model training started from")
                tensor.lerp_(base_state[name].to(tensor.device, tensor.dtype), 1.0 - weight)
