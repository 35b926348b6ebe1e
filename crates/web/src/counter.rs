//! Rate-limit counters every instance sees, in Redis when one is configured (`--redis-url`):
//! one connection, three commands pipelined per request (`INCR`, `EXPIRE … NX`, `PTTL`), a
//! fixed one-minute window per key that starts with its first hit.
//!
//! Invariant: **a Redis that is missing or fails never stops a request** — the caller falls
//! back to the counts it keeps itself (and, for submissions and status look-ups, to the
//! database's); after a failure no connection is tried for five seconds, so a dead Redis
//! costs one failed connect per five seconds, not one per request.
//!
//! Two commands do not justify a client crate: this speaks just enough of RESP (Redis's wire
//! protocol) for them, and a test against the machine's Redis checks it.

use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// A Redis at `host:port`, with one connection kept open.
pub struct Redis {
    addr: String,
    conn: Mutex<Conn>,
}

struct Conn {
    stream: Option<BufReader<TcpStream>>,
    /// No connection is tried before this after a failure.
    quiet_until: Option<Instant>,
}

/// How long a command may take before Redis is taken as failing.
const TIMEOUT: Duration = Duration::from_millis(250);
const QUIET: Duration = Duration::from_secs(5);

impl Redis {
    /// From `redis://host:port` (a database number or password are not supported).
    pub fn new(url: &str) -> Result<Redis, String> {
        let rest = url
            .strip_prefix("redis://")
            .ok_or_else(|| format!("--redis-url: {url} is not a redis:// address"))?;
        let addr = rest.trim_end_matches('/');
        if addr.is_empty() || addr.contains(['@', '/']) {
            return Err(format!(
                "--redis-url: {url}: give host:port only (redis://127.0.0.1:6379)"
            ));
        }
        let addr = if addr.contains(':') {
            addr.to_string()
        } else {
            format!("{addr}:6379")
        };
        Ok(Redis {
            addr,
            conn: Mutex::new(Conn {
                stream: None,
                quiet_until: None,
            }),
        })
    }

    /// Counts a hit on `key` in its minute: the hits so far and the time left in the
    /// window. `None` when Redis could not be asked (the caller counts by itself).
    pub async fn hit(&self, key: &str) -> Option<(i64, Duration)> {
        let mut conn = self.conn.lock().await;
        if conn.quiet_until.is_some_and(|t| Instant::now() < t) {
            return None;
        }
        let asked = tokio::time::timeout(TIMEOUT, Self::ask(&mut conn, &self.addr, key))
            .await
            .unwrap_or_else(|_| {
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "Redis did not answer in time",
                ))
            });
        match asked {
            Ok(got) => {
                conn.quiet_until = None;
                Some(got)
            }
            Err(e) => {
                tracing::warn!(error = %e, "Redis did not count a hit; counting here for 5 s");
                conn.stream = None;
                conn.quiet_until = Some(Instant::now() + QUIET);
                None
            }
        }
    }

    async fn ask(conn: &mut Conn, addr: &str, key: &str) -> std::io::Result<(i64, Duration)> {
        if conn.stream.is_none() {
            let s = TcpStream::connect(addr).await?;
            s.set_nodelay(true)?;
            conn.stream = Some(BufReader::new(s));
        }
        let stream = conn.stream.as_mut().expect("connected above");
        let mut out = Vec::with_capacity(128);
        for cmd in [
            &["INCR", key][..],
            &["EXPIRE", key, "60", "NX"][..],
            &["PTTL", key][..],
        ] {
            out.extend_from_slice(format!("*{}\r\n", cmd.len()).as_bytes());
            for part in cmd {
                out.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
                out.extend_from_slice(part.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
        stream.get_mut().write_all(&out).await?;
        let hits = read_integer(stream).await?;
        read_integer(stream).await?;
        let left_ms = read_integer(stream).await?;
        Ok((hits, Duration::from_millis(left_ms.clamp(1, 60_000) as u64)))
    }
}

/// Reads one integer reply (`:123\r\n`); an error reply or anything else is an error.
async fn read_integer(stream: &mut BufReader<TcpStream>) -> std::io::Result<i64> {
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "Redis closed the connection",
        ));
    }
    let line = line.trim_end();
    line.strip_prefix(':')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("Redis answered {line:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_host_and_port() {
        assert_eq!(
            Redis::new("redis://127.0.0.1").unwrap().addr,
            "127.0.0.1:6379"
        );
        assert_eq!(
            Redis::new("redis://10.0.0.5:7000/").unwrap().addr,
            "10.0.0.5:7000"
        );
        assert!(Redis::new("http://x").is_err());
        assert!(Redis::new("redis://user:pw@x:1").is_err());
    }

    #[tokio::test]
    async fn a_missing_redis_is_not_asked_again_for_a_while() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let r = Redis::new(&format!("redis://127.0.0.1:{port}")).unwrap();
        assert_eq!(r.hit("k").await, None);
        let started = Instant::now();
        assert_eq!(r.hit("k").await, None);
        assert!(
            started.elapsed() < Duration::from_millis(5),
            "not tried again at once"
        );
    }
}
