//! sea-orm entities: one module per table.

pub(crate) mod connection;
pub(crate) mod correction;
pub(crate) mod expense;
pub(crate) mod rule;
