//! The one writer of stdout. tower-lsp-server writes its frames (responses, requests to the
//! client, notifications) into an in-process pipe; they are copied to stdout whole, interleaved
//! with frames the server serialises itself. Diagnostics are published through the latter: they
//! are serialised straight from the diagnostics to bytes, instead of through a `serde_json::Value`
//! tree (for a thousand diagnostics, that tree costs more than the analysis of a keystroke).

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::warn;

use super::transport::{read_frame, Frame};

enum Msg {
    Frame(Vec<u8>),
    Stop,
}

/// Sends whole frames to stdout.
#[derive(Clone)]
pub struct Output {
    tx: mpsc::UnboundedSender<Msg>,
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
    let (tx, rx) = mpsc::unbounded_channel();
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
        let _ = self.output.tx.send(Msg::Stop);
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), self.writer).await;
    }
}

async fn copy_frames(from_tower: DuplexStream, tx: mpsc::UnboundedSender<Msg>) {
    let mut r = tokio::io::BufReader::new(from_tower);
    loop {
        match read_frame(&mut r).await {
            Frame::Body(body) => {
                if tx.send(Msg::Frame(frame(&body))).is_err() {
                    break;
                }
            }
            Frame::Bad(why) => warn!("unexpected output framing: {why}"),
            Frame::Eof => break,
        }
    }
}

async fn write_frames(mut stdout: impl AsyncWrite + Unpin, mut rx: mpsc::UnboundedReceiver<Msg>) {
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
    /// Sends a whole JSON-RPC message (a response), serialised directly.
    pub fn send<T: Serialize>(&self, message: &T) {
        match serde_json::to_vec(message) {
            Ok(body) => {
                let _ = self.tx.send(Msg::Frame(frame(&body)));
            }
            Err(e) => warn!("cannot serialise a response: {e}"),
        }
    }

    /// Sends a notification, serialised directly from `params`.
    pub fn notify<P: Serialize>(&self, method: &'static str, params: P) {
        let n = Notification {
            jsonrpc: "2.0",
            method,
            params,
        };
        match serde_json::to_vec(&n) {
            Ok(body) => {
                let _ = self.tx.send(Msg::Frame(frame(&body)));
            }
            Err(e) => warn!("cannot serialise {method}: {e}"),
        }
    }
}
