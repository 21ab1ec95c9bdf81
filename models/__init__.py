"""Models and the artifacts they write. Importing this package does not import torch.

It does choose torch's numerics before torch loads, so that training gives the same numbers
on every x86 machine: the goldens in ``tests/golden/`` hold whatever this mode computes.
Left alone, torch picks its kernels by the CPU it finds (AVX2 on one machine, AVX-512 on
another), and thirty epochs of SGD turn their last-bit differences into other weights.
``MKL_CBWR=COMPATIBLE`` makes Intel MKL's matrix products independent of the CPU;
``ATEN_CPU_CAPABILITY=default`` does the same for torch's own elementwise kernels. (oneDNN,
the third path, is switched off while an artifact is built: ``models.artifacts.reproducible``.)
One path no setting reaches: torch sends ``Tensor.sqrt``, ``exp``, ``log``, ``tanh`` and ``erf``
to MKL's vector maths, which picks its code by the CPU's vendor (on an AMD processor about one
square root in six came out a bit off the exact one). Training must not feed those back into the
weights: the optimisers are torch's fused ones, whose square root is the CPU's exact instruction
(``tests/test_lm.py::test_training_avoids_vendor_dependent_maths``).
"""

import os as _os

NUMERICS = {"MKL_CBWR": "COMPATIBLE", "ATEN_CPU_CAPABILITY": "default"}
_os.environ.update(NUMERICS)  # read once, when torch first loads: this package must come first
