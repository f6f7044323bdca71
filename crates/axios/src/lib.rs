//! axios CLI library
