//! Helpers the rules crate's tests share (the service's tests include the same files).
#![allow(dead_code)]

mod files;
pub mod generator;
pub use files::*;
