//! A tolerant reader in front of tower-lsp-server's framing.
//!
//! tower-lsp-server stops reading input after the first undecodable message (its framed reader
//! ends the stream on a decode error), so one malformed message would end the session. This
//! reader parses the `Content-Length` framing itself, passes every well-formed JSON-RPC message
//! through unchanged, and replaces a malformed one with a request to [`INVALID_MESSAGE`], which
//! the server answers with the JSON-RPC error the client should have got (-32700 parse error or
//! -32600 invalid request).

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream,
};
use tower_lsp_server::jsonrpc::{Request, Response};
use tracing::warn;

/// The internal method a malformed message is turned into.
pub const INVALID_MESSAGE: &str = "deployspec/invalidMessage";

/// Largest message accepted (a 10 MB document, JSON-escaped, with room to spare).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// The notification a `textDocument/diagnostic` request is turned into (see [`sanitize`]).
pub const FAST_PULL: &str = "deployspec/pullDiagnostics";

/// Reads framed messages from `input` and writes sanitized frames to `output` until the input
/// ends.
///
/// Between `initialized` and `shutdown`, a `textDocument/diagnostic` request is passed on as a
/// [`FAST_PULL`] notification carrying the request's id: the server answers it itself, with the
/// diagnostics serialised straight to bytes (see `output`) instead of through tower-lsp-server's
/// JSON tree. Being a message in the same stream, it is still handled after every edit that
/// came before it.
pub async fn sanitize(input: impl AsyncRead + Unpin, mut output: DuplexStream) {
    let mut r = BufReader::new(input);
    let mut serving = false;
    loop {
        let body = match read_frame(&mut r).await {
            Frame::Eof => break,
            Frame::Body(b) => b,
            Frame::Bad(why) => {
                warn!("malformed message header: {why}");
                substitute(Value::Null, -32700, &why)
            }
        };
        let body = check(body, &mut serving);
        let head = format!("Content-Length: {}\r\n\r\n", body.len());
        if output.write_all(head.as_bytes()).await.is_err()
            || output.write_all(&body).await.is_err()
        {
            break;
        }
    }
    let _ = output.shutdown().await;
}

pub enum Frame {
    Eof,
    Body(Vec<u8>),
    Bad(String),
}

/// Longest header line kept; a longer one is discarded as it is read (never held in memory)
/// and makes the frame malformed.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// Reads one `Content-Length` framed message. Memory is bounded whatever the input: header lines
/// are cut at [`MAX_HEADER_LINE`], and the body of a malformed or oversized frame is skipped
/// without being stored, so the next frame starts cleanly.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> Frame {
    let mut len: Option<u64> = None;
    let mut bad: Option<String> = None;
    let mut seen = false;
    loop {
        let mut line = Vec::new();
        match (&mut *r)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return Frame::Eof,
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") && line.len() as u64 == MAX_HEADER_LINE {
            bad = Some(format!("header line over {MAX_HEADER_LINE} bytes"));
            seen = true;
            if !skip_line(r).await {
                return Frame::Eof;
            }
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if seen {
                break;
            }
            continue;
        }
        seen = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                match value.trim().parse::<u64>() {
                    Ok(n) => {
                        if n > MAX_MESSAGE as u64 {
                            bad = Some(format!(
                                "message of {n} bytes is over the limit of {MAX_MESSAGE}"
                            ));
                        }
                        len = Some(n);
                    }
                    Err(_) => bad = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
        } else {
            bad = Some(format!("not a header: `{}`", truncate(text)));
        }
    }
    if let Some(why) = bad {
        // Skip the body if its length is known, so the next frame starts cleanly.
        if let Some(n) = len {
            let _ = tokio::io::copy(&mut (&mut *r).take(n), &mut tokio::io::sink()).await;
        }
        return Frame::Bad(why);
    }
    let Some(n) = len else {
        return Frame::Bad("message without Content-Length".into());
    };
    let mut body = vec![0; n as usize];
    if r.read_exact(&mut body).await.is_err() {
        return Frame::Eof;
    }
    Frame::Body(body)
}

/// Discards input up to and including the next line feed; false at the end of input.
async fn skip_line<R: AsyncBufRead + Unpin>(r: &mut R) -> bool {
    loop {
        let (done, used) = match r.fill_buf().await {
            Ok([]) | Err(_) => return false,
            Ok(buf) => match memchr::memchr(b'\n', buf) {
                Some(i) => (true, i + 1),
                None => (false, buf.len()),
            },
        };
        r.consume(used);
        if done {
            return true;
        }
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(60) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The body itself when it is a JSON-RPC message tower-lsp-server can decode, else the
/// substitute request that makes the server answer with the right error.
fn check(body: Vec<u8>, serving: &mut bool) -> Vec<u8> {
    // Every message tower-lsp-server can decode parses as a `Request` (a response too: its
    // method defaults to empty), so one parse decides.
    if let Ok(req) = serde_json::from_slice::<Request>(&body) {
        match req.method() {
            "initialized" => *serving = true,
            "shutdown" | "exit" => *serving = false,
            "textDocument/diagnostic" if *serving && req.id().is_some() => {
                let (_, id, params) = req.into_parts();
                return serde_json::to_vec(&json!({
                    "jsonrpc": "2.0",
                    "method": FAST_PULL,
                    "params": {"id": id, "params": params},
                }))
                .unwrap_or(body);
            }
            _ => {}
        }
        return body;
    }
    if serde_json::from_slice::<Response>(&body).is_ok() {
        return body;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => {
            let id = match v.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
                _ => Value::Null,
            };
            warn!("invalid JSON-RPC message: {}", truncate(&v.to_string()));
            substitute(id, -32600, "not a valid JSON-RPC 2.0 message")
        }
        Err(e) => {
            warn!("message is not JSON: {e}");
            substitute(Value::Null, -32700, &format!("not JSON: {e}"))
        }
    }
}

fn substitute(id: Value, code: i64, message: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0",
        "id": id,
        "method": INVALID_MESSAGE,
        "params": {"code": code, "message": message},
    }))
    .unwrap_or_default()
}

/// The params of [`INVALID_MESSAGE`].
#[derive(serde::Deserialize)]
pub struct InvalidMessage {
    pub code: i64,
    pub message: String,
}

/// The params of [`FAST_PULL`]: the original request's id and params.
#[derive(serde::Deserialize)]
pub struct FastPull {
    pub id: Value,
    #[serde(default)]
    pub params: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: Vec<u8>) -> Vec<Result<String, String>> {
        let mut r = BufReader::new(&input[..]);
        let mut out = Vec::new();
        loop {
            match read_frame(&mut r).await {
                Frame::Eof => return out,
                Frame::Body(b) => out.push(Ok(String::from_utf8(b).unwrap())),
                Frame::Bad(why) => out.push(Err(why)),
            }
        }
    }

    const GOOD: &[u8] = b"Content-Length: 2\r\n\r\n{}";

    #[tokio::test]
    async fn a_huge_header_line_is_bad_and_the_next_frame_is_read() {
        let mut input = b"X-Junk: ".to_vec();
        input.extend(std::iter::repeat_n(b'a', 3 * MAX_HEADER_LINE as usize));
        input.extend_from_slice(b"\r\nContent-Length: 3\r\n\r\n[1]");
        input.extend_from_slice(GOOD);
        let got = frames(input).await;
        assert_eq!(
            got,
            vec![
                Err(format!("header line over {MAX_HEADER_LINE} bytes")),
                Ok("{}".into())
            ]
        );
    }

    #[tokio::test]
    async fn an_oversized_body_is_skipped_unread() {
        let n = MAX_MESSAGE + 1;
        let mut input = format!("Content-Length: {n}\r\n\r\n").into_bytes();
        input.extend(std::iter::repeat_n(b'x', n));
        input.extend_from_slice(GOOD);
        let got = frames(input).await;
        assert_eq!(got.len(), 2, "{:?}", got.first());
        assert!(got[0].as_ref().unwrap_err().contains("over the limit"));
        assert_eq!(got[1], Ok("{}".into()));
    }

    #[tokio::test]
    async fn bad_lengths_and_missing_lengths_are_bad_frames() {
        let mut input = b"Content-Length: -1\r\n\r\n".to_vec();
        input.extend_from_slice(b"Content-Type: text/plain\r\n\r\n");
        input.extend_from_slice(GOOD);
        let got = frames(input).await;
        assert_eq!(
            got,
            vec![
                Err("bad Content-Length `-1`".into()),
                Err("message without Content-Length".into()),
                Ok("{}".into())
            ]
        );
    }
}
