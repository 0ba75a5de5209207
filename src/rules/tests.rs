//! Table-driven tests of rules.
