//! The library's logging: a process-wide level and one sink. By default only
//! warnings and errors are written, to stderr. Log lines never carry message
//! bodies or secrets.

use std::cell::Cell;
use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

/// How important a log line is. `Off` disables logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Off = 0,
    Error = 1,
    Warn = 2,
    Info = 3,
    Debug = 4,
    Trace = 5,
}

impl Level {
    /// The level with this number (0 off ... 5 trace).
    pub fn from_i32(n: i32) -> Option<Level> {
        Some(match n {
            0 => Level::Off,
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            5 => Level::Trace,
            _ => return None,
        })
    }

    /// Upper-case name (`ERROR`, `WARN`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "OFF",
            Level::Error => "ERROR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
        }
    }
}

/// Receives every log line at or above the level: level, target (the part of
/// the library, e.g. `producer`) and the message. Called on any thread.
pub type Sink = Arc<dyn Fn(Level, &str, &str) + Send + Sync>;

static LEVEL: AtomicU8 = AtomicU8::new(Level::Warn as u8);
static SINK: RwLock<Option<Sink>> = RwLock::new(None);

thread_local! {
    /// Set while a sink runs on this thread: lines logged from inside a sink go to stderr.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Sets the most detailed level that is logged.
pub fn set_level(level: Level) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The most detailed level that is logged.
pub fn level() -> Level {
    Level::from_i32(i32::from(LEVEL.load(Ordering::Relaxed))).unwrap_or(Level::Warn)
}

/// Whether a line at `level` would be logged.
pub fn enabled(level: Level) -> bool {
    level != Level::Off && level as u8 <= LEVEL.load(Ordering::Relaxed)
}

/// Replaces the sink (`None`: stderr). Returns the previous one.
pub fn set_sink(sink: Option<Sink>) -> Option<Sink> {
    std::mem::replace(&mut *SINK.write(), sink)
}

/// Logs one line at `level` when that level is enabled.
pub fn log(level: Level, target: &str, args: fmt::Arguments<'_>) {
    if !enabled(level) {
        return;
    }
    let sink = SINK.read().clone();
    let nested = IN_SINK.with(|f| f.get());
    match sink {
        Some(sink) if !nested => {
            let message = args.to_string();
            IN_SINK.with(|f| f.set(true));
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sink(level, target, &message)
            }));
            IN_SINK.with(|f| f.set(false));
        }
        _ => {
            let _ = writeln!(
                std::io::stderr().lock(),
                "[rocketmq {} {}] {}",
                level.name(),
                target,
                args
            );
        }
    }
}

pub fn error(target: &str, args: fmt::Arguments<'_>) {
    log(Level::Error, target, args)
}
pub fn warn(target: &str, args: fmt::Arguments<'_>) {
    log(Level::Warn, target, args)
}
pub fn info(target: &str, args: fmt::Arguments<'_>) {
    log(Level::Info, target, args)
}
pub fn debug(target: &str, args: fmt::Arguments<'_>) {
    log(Level::Debug, target, args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use parking_lot::Mutex;

    // One test touches the global level and sink, so nothing races with it.
    #[test]
    fn level_filter_sink_and_reentry() {
        let lines: Arc<Mutex<Vec<(Level, String, String)>>> = Arc::default();
        let l2 = lines.clone();
        let old_level = level();
        set_sink(Some(Arc::new(move |lvl, target, msg| {
            l2.lock().push((lvl, target.to_owned(), msg.to_owned()));
            // A line logged from inside the sink must not recurse into it.
            warn("nested", format_args!("from inside the sink"));
        })));
        set_level(Level::Info);
        info("producer", format_args!("started {}", 1));
        debug("producer", format_args!("not shown"));
        set_level(Level::Off);
        error("producer", format_args!("not shown either"));
        assert!(!enabled(Level::Error));
        set_level(old_level);
        let prev = set_sink(None);
        assert!(prev.is_some());
        // Other tests may log meanwhile (the level and sink are global): look at ours only.
        let got: Vec<_> = lines
            .lock()
            .iter()
            .filter(|l| l.1 == "producer")
            .cloned()
            .collect();
        assert_eq!(
            got,
            vec![(Level::Info, "producer".to_owned(), "started 1".to_owned())]
        );
        assert_eq!(Level::from_i32(2), Some(Level::Warn));
        assert_eq!(Level::from_i32(6), None);
        assert!(Level::Error < Level::Trace);
    }
}
