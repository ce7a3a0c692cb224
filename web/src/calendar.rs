//! The announced days, read from the Store at most every [`FRESH_FOR`]: every listing needs them
//! (latest day, previous and next), and on a large Store the distinct dates cost a scan of an
//! index, which would otherwise be most of a listing's time. A crawl's new day shows up within
//! [`FRESH_FOR`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use papers_core::{Store, StoreError};

pub const FRESH_FOR: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Calendar {
    cached: Mutex<Option<(Instant, Arc<Vec<NaiveDate>>)>>,
}

impl Calendar {
    /// Announced days, newest first.
    pub async fn dates(&self, store: &Store) -> Result<Arc<Vec<NaiveDate>>, StoreError> {
        if let Some((at, dates)) = self.cached.lock().expect("the calendar lock").as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(dates.clone());
        }
        // Two requests may both read the Store here; both get the same answer.
        let dates = Arc::new(store.announced_dates().await?);
        *self.cached.lock().expect("the calendar lock") = Some((Instant::now(), dates.clone()));
        Ok(dates)
    }

    /// Drops the cached days: the next request reads them again (after a write this process
    /// made itself, it need not wait out [`FRESH_FOR`]).
    pub fn forget(&self) {
        *self.cached.lock().expect("the calendar lock") = None;
    }
}
