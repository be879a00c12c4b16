//! Edge tables: where one rank's rules put an edges population's rows, within a memory budget.
//!
//! Pipeline position: spec → model → rules → **edge tables/spill** → collator → writer.
//!
//! In: rows pushed by rules through [`netbuild_model::EdgeSink`], already in final file order.
//! Out: the same rows streamed back in chunks, column by column ([`TableReader`]), for the
//! collator to count and the writer to write.

#![warn(missing_docs)]

pub mod column;
mod runs;
mod store;
mod table;

pub use column::LeBytes;
pub use table::{EdgeTypesTable, RowChunk, SpillPolicy, TableError, TableLayout, TableReader};
