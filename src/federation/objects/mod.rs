//! Our storage models seen through the federation crate's traits. The orphan
//! rule asks for newtypes around the entity models.

pub mod actor;
