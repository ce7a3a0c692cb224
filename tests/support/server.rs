//! The `papers` binary as a server in a test: started, found by the address it prints, killed
//! when the test ends (pass or fail), and asked with plain HTTP/1.1.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const PAPERS: &str = env!("CARGO_BIN_EXE_papers");

/// Kills the server when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `command` (a `papers serve` or `papers demo` with `--addr 127.0.0.1:0`) and returns it
/// with the address it printed on its `serving on http://ADDR` line.
pub fn serve(mut command: Command) -> (Server, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("start papers");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(addr) = line.strip_prefix("serving on http://") {
            let addr = addr.trim().to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            return (server, addr);
        }
        printed.push(line);
    }
    panic!("papers exited before serving; it printed: {printed:?}");
}

/// A plain HTTP/1.1 GET (blocking); returns (status, body).
pub fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
