//! Integration tests: the real binary against a real PostgreSQL + pgvector.

mod audit;
mod chaos;
mod check;
mod collections;
mod config;
mod connect;
mod deploy;
mod diagnose;
mod generated;
mod harness;
mod learn;
mod memory;
mod migrations;
mod plan;
mod playbooks;
mod quoting;
mod recall;
mod recover;
mod repair;
mod repair_exec;
mod replication;
mod restart;
mod scenarios;
mod scratch;
mod structure;
mod usage;
