import Tensors
print("workbench")
