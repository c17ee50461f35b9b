//! The one writer of stdout. tower-lsp-server writes its frames (responses, requests to the
//! client, notifications) into an in-process pipe; they are copied to stdout whole, interleaved
//! with frames the server serialises itself. Diagnostics are published through the latter: they
//! are serialised straight from the diagnostics to bytes, instead of through a `serde_json::Value`
//! tree (for a thousand diagnostics, that tree costs more than the analysis of a keystroke).
//!
//! The queue to stdout is bounded ([`CAPACITY`] frames): when the client reads slower than the
//! server writes, senders wait (back-pressure) instead of the queue growing. It cannot deadlock:
//! the writer task waits on nothing but stdout, and no sender holds a lock the writer needs.

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::warn;

use super::transport::{read_frame, Frame};

/// Frames queued for stdout at most, beyond the one being written.
pub const CAPACITY: usize = 64;

enum Msg {
    Frame(Vec<u8>),
    Stop,
}

/// Sends whole frames to stdout.
#[derive(Clone)]
pub struct Output {
    tx: mpsc::Sender<Msg>,
}

/// The running output and the tasks to wait for.
pub struct Pipe {
    pub output: Output,
    copier: JoinHandle<()>,
    writer: JoinHandle<()>,
}

/// Starts the writer; returns the pipe end to give tower-lsp-server as its output.
pub fn start(stdout: impl AsyncWrite + Unpin + Send + 'static) -> (DuplexStream, Pipe) {
    let (for_tower, from_tower) = tokio::io::duplex(256 * 1024);
    let (tx, rx) = mpsc::channel(CAPACITY);
    let copier = tokio::spawn(copy_frames(from_tower, tx.clone()));
    let writer = tokio::spawn(write_frames(stdout, rx));
    (
        for_tower,
        Pipe {
            output: Output { tx },
            copier,
            writer,
        },
    )
}

impl Pipe {
    /// After tower-lsp-server has finished: writes what is left, then stops.
    pub async fn finish(self) {
        let _ = self.copier.await;
        let _ = self.output.tx.send(Msg::Stop).await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), self.writer).await;
    }
}

async fn copy_frames(from_tower: DuplexStream, tx: mpsc::Sender<Msg>) {
    let mut r = tokio::io::BufReader::new(from_tower);
    loop {
        match read_frame(&mut r).await {
            Frame::Body(body) => {
                if tx.send(Msg::Frame(frame(&body))).await.is_err() {
                    break;
                }
            }
            Frame::Bad(why) => warn!("unexpected output framing: {why}"),
            Frame::Eof => break,
        }
    }
}

async fn write_frames(mut stdout: impl AsyncWrite + Unpin, mut rx: mpsc::Receiver<Msg>) {
    while let Some(Msg::Frame(bytes)) = rx.recv().await {
        if stdout.write_all(&bytes).await.is_err() || stdout.flush().await.is_err() {
            break;
        }
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let head = format!("Content-Length: {}\r\n\r\n", body.len());
    let mut out = Vec::with_capacity(head.len() + body.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    out
}

#[derive(Serialize)]
struct Notification<P: Serialize> {
    jsonrpc: &'static str,
    method: &'static str,
    params: P,
}

impl Output {
    /// Frames waiting for stdout.
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// Sends a whole JSON-RPC message (a response), serialised directly. Waits while the queue
    /// to stdout is full.
    pub async fn send<T: Serialize>(&self, message: &T) {
        match serde_json::to_vec(message) {
            Ok(body) => {
                let _ = self.tx.send(Msg::Frame(frame(&body))).await;
            }
            Err(e) => warn!("cannot serialise a response: {e}"),
        }
    }

    /// Sends a notification, serialised directly from `params`. Waits while the queue to stdout
    /// is full.
    pub async fn notify<P: Serialize>(&self, method: &'static str, params: P) {
        let n = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        let body = serde_json::to_vec(&n);
        drop(n);
        match body {
            Ok(body) => {
                let _ = self.tx.send(Msg::Frame(frame(&body))).await;
            }
            Err(e) => warn!("cannot serialise {method}: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that stops reading: the server's senders wait once [`CAPACITY`] frames are
    /// queued (the queue does not grow), and everything arrives, in order, once it reads again.
    #[tokio::test(flavor = "current_thread")]
    async fn a_slow_reader_holds_senders_back_and_loses_nothing() {
        let (stdout, mut client) = tokio::io::duplex(64);
        let (_for_tower, pipe) = start(stdout);
        let out = pipe.output.clone();
        let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = sent.clone();
        const N: usize = 1000;
        let sender = tokio::spawn(async move {
            for i in 0..N {
                out.notify("test/n", i).await;
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        // Let the sender run until it cannot go on (single-threaded: each yield lets it run).
        for _ in 0..10 * N {
            tokio::task::yield_now().await;
        }
        let stuck_at = sent.load(std::sync::atomic::Ordering::SeqCst);
        assert!(stuck_at < N, "the sender never waited");
        assert!(stuck_at <= CAPACITY + 2, "{stuck_at} frames accepted");
        assert!(pipe.output.queued() <= CAPACITY);
        // The client reads again: every frame arrives, in order.
        let reader = tokio::spawn(async move {
            let mut r = tokio::io::BufReader::new(&mut client);
            let mut got = Vec::new();
            while got.len() < N {
                match read_frame(&mut r).await {
                    Frame::Body(b) => {
                        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
                        got.push(v["params"].as_u64().unwrap() as usize);
                    }
                    _ => panic!("bad frame"),
                }
            }
            got
        });
        sender.await.unwrap();
        let got = reader.await.unwrap();
        assert_eq!(got, (0..N).collect::<Vec<_>>());
    }
}
