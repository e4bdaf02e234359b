//! Integration tests: the real binary against a real PostgreSQL + pgvector.

mod check;
mod collections;
mod config;
mod connect;
mod diagnose;
mod generated;
mod harness;
mod migrations;
mod playbooks;
mod quoting;
mod recall;
mod structure;
mod usage;
