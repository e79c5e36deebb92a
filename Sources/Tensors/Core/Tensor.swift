public final class Tensor {}
