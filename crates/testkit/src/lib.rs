//! Fixtures for the tests of the upload path, kept out of the crates that ship: a reverse proxy
//! that does to an upload what a hall's network and its captive portal do ([`proxy`]).
#![deny(missing_docs)]

pub mod proxy;
