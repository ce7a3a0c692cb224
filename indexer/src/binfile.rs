//! The little binary files search keeps beside the index (the LSA model, exported vectors):
//! written whole to a temporary file, synced and renamed, so a reader sees the old file or the
//! new one and a crash never leaves half of one; read back with a magic header and every read
//! checked, so a truncated file is an error that says so rather than garbage.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Writes `path` through `path.partial`: `write` fills the file, which is then synced and renamed.
pub fn write_atomic(
    path: &Path,
    magic: &[u8],
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let partial = path.with_extension("partial");
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
    out.write_all(magic)?;
    write(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path)
}

pub fn write_str(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    let len = u16::try_from(text.len()).map_err(|_| std::io::ErrorKind::InvalidInput)?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(text.as_bytes())
}

pub fn write_f32s(out: &mut impl Write, values: &[f32]) -> std::io::Result<()> {
    for x in values {
        out.write_all(&x.to_le_bytes())?;
    }
    Ok(())
}

/// Why a file could not be read back.
pub enum ReadError {
    /// There is no such file (not an error for an optional file).
    Missing,
    Io(std::io::Error),
    /// Truncated, of another format or version, or implausible: the reason.
    Corrupt(String),
}

pub struct Reader {
    input: BufReader<File>,
}

impl Reader {
    /// Opens `path` and checks that it starts with `magic` (`what` names the format in errors).
    pub fn open(path: &Path, magic: &[u8], what: &str) -> Result<Reader, ReadError> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing),
            Err(e) => return Err(ReadError::Io(e)),
        };
        let mut reader = Reader {
            input: BufReader::with_capacity(1 << 20, file),
        };
        if reader.bytes(magic.len())? != magic {
            return Err(ReadError::Corrupt(format!("not {what} of this version")));
        }
        Ok(reader)
    }

    pub fn bytes(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        let mut buf = vec![0u8; n];
        self.input
            .read_exact(&mut buf)
            .map_err(|e| ReadError::Corrupt(format!("truncated ({e})")))?;
        Ok(buf)
    }

    pub fn u32(&mut self) -> Result<u32, ReadError> {
        Ok(u32::from_le_bytes(
            self.bytes(4)?.try_into().expect("4 bytes"),
        ))
    }

    pub fn u64(&mut self) -> Result<u64, ReadError> {
        Ok(u64::from_le_bytes(
            self.bytes(8)?.try_into().expect("8 bytes"),
        ))
    }

    /// A string written by [`write_str`].
    pub fn str(&mut self) -> Result<String, ReadError> {
        let len = self.bytes(2)?;
        String::from_utf8(self.bytes(usize::from(u16::from_le_bytes([len[0], len[1]])))?)
            .map_err(|_| ReadError::Corrupt("a string is not UTF-8".into()))
    }

    /// `n` values written by [`write_f32s`].
    pub fn f32s(&mut self, n: usize) -> Result<Vec<f32>, ReadError> {
        Ok(self
            .bytes(n * 4)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}
