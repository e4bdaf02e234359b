//! One repair per collection at a time: a session-level PostgreSQL advisory
//! lock, held on a connection of its own for the whole repair. A process that
//! dies (SIGKILL, lost connection, server restart) loses its session and so its
//! lock, which is how the next run knows a `running` repair was cut short.

use anyhow::{Context, Result};
use postgres::Client;

use crate::exit::LockHeld;

/// The lock's key as SQL text (hashed by the server, so every client agrees).
fn key_text(collection: &str) -> String {
    format!("ruvheal.repair:{collection}")
}

/// A held collection lock; released when dropped (or when the session ends).
pub struct CollectionLock {
    client: Client,
    collection: String,
    released: bool,
}

impl CollectionLock {
    /// Takes the lock for `collection` on `client` without waiting. Another holder
    /// gives a [`LockHeld`] error (exit 75) naming its backend pid.
    pub fn acquire(mut client: Client, collection: &str) -> Result<Self> {
        let got: bool = client
            .query_one(
                "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
                &[&key_text(collection)],
            )
            .context("taking the collection's repair lock")?
            .get(0);
        if !got {
            let holder = holder(&mut client, collection).ok().flatten();
            let who = holder.map_or(String::new(), |p| format!(" (backend pid {p})"));
            return Err(anyhow::Error::new(LockHeld(format!(
                "another ruvheal is repairing {collection}{who}; try later"
            ))));
        }
        Ok(Self {
            client,
            collection: collection.to_string(),
            released: false,
        })
    }

    /// The backend pid holding the lock (stored with the repair).
    pub fn backend_pid(&mut self) -> Result<i32> {
        Ok(self
            .client
            .query_one("SELECT pg_backend_pid()", &[])?
            .get(0))
    }

    /// The session holding the lock (work done on it runs as the lock holder).
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// Releases the lock now.
    pub fn release(mut self) -> Result<()> {
        self.unlock()
    }

    fn unlock(&mut self) -> Result<()> {
        if !self.released {
            self.released = true;
            self.client
                .query_one(
                    "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
                    &[&key_text(&self.collection)],
                )
                .context("releasing the collection's repair lock")?;
        }
        Ok(())
    }
}

impl Drop for CollectionLock {
    fn drop(&mut self) {
        let _ = self.unlock();
    }
}

/// Whether any session holds `collection`'s lock (used to tell a live repair
/// from one that was cut short).
pub fn is_held(client: &mut Client, collection: &str) -> Result<bool> {
    Ok(holder(client, collection)?.is_some())
}

/// The backend holding `collection`'s lock, if a session holds it.
pub fn holder(client: &mut Client, collection: &str) -> Result<Option<i32>> {
    Ok(client
        .query_opt(
            "SELECT l.pid FROM pg_catalog.pg_locks l
              WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted
                AND l.objsubid OPERATOR(pg_catalog.=) 1
                AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                     WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
                AND ((l.classid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32)
                     OPERATOR(pg_catalog.|) l.objid::pg_catalog.int8)
                    OPERATOR(pg_catalog.=) pg_catalog.hashtextextended($1, 0)
              LIMIT 1",
            &[&key_text(collection)],
        )
        .context("looking for the holder of the collection's repair lock")?
        .map(|r| r.get(0)))
}
