//! RSS 2.0 and Atom for every list (being written).
