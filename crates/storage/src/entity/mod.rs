//! sea-orm entities: one module per table.

pub(crate) mod connection;
pub(crate) mod expense;
pub(crate) mod rule;
