"""Models and the artifacts they write. Importing this package does not import torch."""
