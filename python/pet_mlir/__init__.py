"""PET-MLIR from Python: drive the pet-opt optimizer on textual MLIR."""

from .opt import PetOptError, find_pet_opt, run_pet_opt

__all__ = ["PetOptError", "find_pet_opt", "run_pet_opt"]
