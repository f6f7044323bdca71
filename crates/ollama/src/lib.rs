//! `axios-ollama`: a dependable model preload and an authenticating policy proxy
//! for Ollama.
//!
//! - [`preload`]: wait for Ollama, pull only the missing models (concurrently, with
//!   retries), warm each one the way it is used and confirm it in `/api/ps`.
//! - [`proxy`]: bearer-token auth, a model-management policy decided on the
//!   canonical path ([`policy`]), limits, CORS, streaming without buffering.
//!   Its listener and connections (JSON errors for late or malformed heads,
//!   graceful stop) live in `server`, every request head checked by `gate`.
//! - [`config`]: the TOML files the NixOS module generates.

pub mod client;
pub mod config;
mod gate;
pub mod model;
pub mod policy;
pub mod preload;
pub mod proxy;
mod server;
