//! ETag / Last-Modified validators and 304 answers (being written).
