//! Repair: executes plans against the user's database, safely. Knows nothing
//! about terminals (progress is reported through a callback).
//!
//! * [`abort`]: an operator stops a running repair.
//! * [`lock`]: one repair per collection (advisory lock; a second runner exits 75).
//! * [`exec`]: one SQL step under lock/statement timeouts, retried on lock timeouts.
//! * [`progress`]: polls `pg_stat_progress_*` for the step's backend on a second session.
//! * [`slots`]: the server-wide cap on repairs running at once.
//! * [`verdict`]: a repair judged against the whole contract on a fresh check.
//! * [`gate`]: a rebuilt index measured before it replaces the old one.

pub mod abort;
pub mod exec;
pub mod gate;
pub mod index;
pub mod lock;
pub mod progress;
pub mod recover;
pub mod run;
pub mod shell;
pub mod slots;
pub mod undo;
pub mod verdict;
