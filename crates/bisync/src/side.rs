//! The two sides of a pair.

use serde::{Deserialize, Serialize};

/// `path1` (any rclone path) or `path2` (a local directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Path1,
    Path2,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Path1, Side::Path2];

    pub fn other(self) -> Side {
        match self {
            Side::Path1 => Side::Path2,
            Side::Path2 => Side::Path1,
        }
    }

    pub fn index(self) -> usize {
        match self {
            Side::Path1 => 0,
            Side::Path2 => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Path1 => "path1",
            Side::Path2 => "path2",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value per side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerSide<T> {
    pub path1: T,
    pub path2: T,
}

impl<T> PerSide<T> {
    pub fn new(path1: T, path2: T) -> Self {
        Self { path1, path2 }
    }

    pub fn get(&self, s: Side) -> &T {
        match s {
            Side::Path1 => &self.path1,
            Side::Path2 => &self.path2,
        }
    }

    pub fn get_mut(&mut self, s: Side) -> &mut T {
        match s {
            Side::Path1 => &mut self.path1,
            Side::Path2 => &mut self.path2,
        }
    }

    pub fn map<U>(&self, mut f: impl FnMut(Side, &T) -> U) -> PerSide<U> {
        PerSide {
            path1: f(Side::Path1, &self.path1),
            path2: f(Side::Path2, &self.path2),
        }
    }
}
