import Foundation
import Tensors
import WorkbenchMPI

/// Joining an `mpirun` job from a subcommand (`train --distributed`, `ddp-check`, `bench ddp`).
enum DistributedLaunch {
    /// How to launch a distributed run, for the error shown without `mpirun`.
    static let howToLaunch = """
        --distributed runs one training process per MPI rank; start it with mpirun, e.g. \
        `mpirun -np 2 workbench train --distributed --data cifar-10-binary.tar.gz` \
        (as root add --allow-run-as-root; more ranks than cores need --oversubscribe; \
        several hosts: `mpirun -hostfile hosts -np 8 …`; Slurm: `srun --mpi=pmix -n 8 workbench train --distributed …`). \
        --batch-size is per rank. See SCALING.md.
        """

    /// The MPI world of this `mpirun` job.
    /// - Throws: `UserError` with launch instructions when not started by mpirun, or MPI's error.
    static func join(timeout: Double) throws -> MPIProcessGroup {
        guard MPIProcessGroup.isLaunchedByMPI else { throw UserError(howToLaunch) }
        guard timeout > 0 else { throw UserError("--collective-timeout must be positive, got \(timeout)") }
        do { return try MPIProcessGroup.start(timeout: timeout) } catch { throw UserError("\(error)") }
    }

    /// The group for a command that also runs alone: MPI's under mpirun, else a world of one.
    static func joinOrSingle(timeout: Double) throws -> any ProcessGroup {
        if MPIProcessGroup.isLaunchedByMPI { return try join(timeout: timeout) }
        return SingleProcessGroup.shared
    }

    /// Shuts MPI down if `group` is an MPI group (every rank, before a normal exit).
    static func finish(_ group: (any ProcessGroup)?) {
        (group as? MPIProcessGroup)?.finalize()
    }
}
