import CNcurses
import Tensors
