import GRDB

/// The run store's schema, as numbered migrations: a database of any earlier
/// version (or an empty file) is brought up to date on open, in one transaction
/// per migration. Add a migration for a change; never edit a released one.
enum RunStoreSchema {
    /// Migration identifiers, oldest first.
    static let versions = ["v1-runs", "v2-tags", "v3-classes"]

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-runs") { db in
            try db.create(table: "runs") { t in
                t.column("id", .text).primaryKey()
                t.column("name", .text)
                t.column("config", .text).notNull()
                t.column("task", .text).notNull()
                t.column("model", .text).notNull()
                t.column("dataset", .text).notNull()
                t.column("seed", .integer).notNull()
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("version", .text).notNull()
                t.column("source", .text).notNull()
                t.column("startedAt", .double).notNull()
                t.column("endedAt", .double)
                t.column("status", .text).notNull().indexed()
                t.column("message", .text)
                t.column("testLoss", .double)
                t.column("testMetrics", .text)
            }
            try db.create(table: "steps") { t in
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("step", .integer).notNull()
                t.column("epoch", .integer).notNull()
                t.column("loss", .double).notNull()
                t.column("lr", .double).notNull()
                t.column("wallTime", .double).notNull()
                t.primaryKey(["runId", "step"], onConflict: .replace)
            }
            try db.create(table: "epochs") { t in
                t.column("runId", .text).notNull().references("runs", onDelete: .cascade)
                t.column("epoch", .integer).notNull()
                t.column("step", .integer).notNull()
                t.column("train", .text).notNull()
                t.column("validation", .text)
                t.column("lr", .double).notNull()
                t.column("seconds", .double).notNull()
                t.column("samplesPerSecond", .double).notNull()
                t.column("wallTime", .double).notNull()
                t.primaryKey(["runId", "epoch"], onConflict: .replace)
            }
            try db.create(table: "hyperparameterChanges") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("runId", .text).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("step", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double).notNull()
                t.column("wallTime", .double).notNull()
            }
            try db.create(table: "evaluations") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("runId", .text).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("step", .integer).notNull()
                t.column("split", .text).notNull()
                t.column("loss", .double).notNull()
                t.column("metrics", .text).notNull()
                t.column("samples", .integer).notNull()
                t.column("wallTime", .double).notNull()
            }
            try db.create(table: "artifacts") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("runId", .text).notNull().indexed().references("runs", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("path", .text).notNull()
                t.column("sha256", .text).notNull()
                t.column("bytes", .integer).notNull()
                t.column("step", .integer).notNull()
                t.column("wallTime", .double).notNull()
            }
        }
        m.registerMigration("v2-tags") { db in
            try db.alter(table: "runs") { t in
                t.add(column: "tags", .text).notNull().defaults(to: "")
            }
        }
        m.registerMigration("v3-classes") { db in
            try db.alter(table: "runs") { t in t.add(column: "classes", .text) }
            try db.alter(table: "evaluations") { t in t.add(column: "confusion", .text) }
        }
        return m
    }
}
