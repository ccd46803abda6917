//! A small SMTP client for the newsletter sender on plain connections, written for one reason:
//! it can send a message *except its final dot*, and send the dot later. The sender uses that
//! to put message k+1 on the wire while the row of message k is being marked sent, and sends
//! k+1's dot (the moment the server takes responsibility for it) only once that mark is
//! written. So the work overlaps, yet at most one accepted message per connection is ever
//! unmarked — the same crash bound as sending strictly one after the other.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// How long any one SMTP reply may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct SmtpError {
    /// A 5xx reply: retrying will not help.
    pub permanent: bool,
    /// After a reply the connection can go on (after RSET); after an I/O error it cannot.
    pub connection_usable: bool,
    pub text: String,
}

impl SmtpError {
    fn io(error: impl std::fmt::Display) -> Self {
        Self { permanent: false, connection_usable: false, text: error.to_string() }
    }
}

pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    pipelining: bool,
}

impl Connection {
    pub async fn connect(address: &str, helo_name: &str) -> Result<Self, SmtpError> {
        let stream = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(address))
            .await
            .map_err(|_| SmtpError::io(format!("connecting to {address} timed out")))?
            .map_err(SmtpError::io)?;
        // Small writes (a lone ".\r\n") must not wait for the server's delayed ACK.
        stream.set_nodelay(true).map_err(SmtpError::io)?;
        let (read, writer) = stream.into_split();
        let mut connection = Self { reader: BufReader::new(read), writer, pipelining: false };
        connection.expect(2).await?;
        connection.write(format!("EHLO {helo_name}\r\n").as_bytes()).await?;
        let lines = connection.expect(2).await?;
        connection.pipelining =
            lines.iter().any(|l| l.get(4..).is_some_and(|k| k.eq_ignore_ascii_case("PIPELINING")));
        Ok(connection)
    }

    /// The envelope and the content, without the terminating dot. `content` is a complete
    /// message with CRLF line ends.
    pub async fn begin(&mut self, from: &str, to: &str, content: &[u8]) -> Result<(), SmtpError> {
        let mail = format!("MAIL FROM:<{from}>\r\n");
        let rcpt = format!("RCPT TO:<{to}>\r\n");
        if self.pipelining {
            // RFC 2920: the three commands in one write, then their three replies.
            self.write(format!("{mail}{rcpt}DATA\r\n").as_bytes()).await?;
            let mail_reply = self.expect(2).await;
            let rcpt_reply = self.expect(2).await;
            let data_reply = self.expect(3).await;
            if let Err(error) = mail_reply.and(rcpt_reply) {
                if data_reply.is_ok() {
                    // The server opened DATA anyway; end it empty-handed is not possible, so
                    // drop the connection rather than risk sending anything.
                    return Err(SmtpError { connection_usable: false, ..error });
                }
                self.reset().await;
                return Err(error);
            }
            data_reply?;
        } else {
            for (command, class) in [(mail.as_str(), 2), (rcpt.as_str(), 2), ("DATA\r\n", 3)] {
                self.write(command.as_bytes()).await?;
                if let Err(error) = self.expect(class).await {
                    self.reset().await;
                    return Err(error);
                }
            }
        }
        let mut stuffed = dot_stuffed(content);
        if !stuffed.ends_with(b"\r\n") {
            stuffed.extend_from_slice(b"\r\n");
        }
        self.write(&stuffed).await
    }

    /// The final dot: from the server's 250 on, the message is delivered.
    pub async fn finish(&mut self) -> Result<(), SmtpError> {
        self.write(b".\r\n").await?;
        self.expect(2).await.map(|_| ())
    }

    async fn reset(&mut self) {
        if self.write(b"RSET\r\n").await.is_ok() {
            let _ = self.expect(2).await;
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), SmtpError> {
        tokio::time::timeout(REPLY_TIMEOUT, self.writer.write_all(bytes))
            .await
            .map_err(|_| SmtpError::io("SMTP write timed out"))?
            .map_err(SmtpError::io)
    }

    /// Reads one (possibly multi-line) reply and checks its first digit.
    async fn expect(&mut self, class: u8) -> Result<Vec<String>, SmtpError> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(REPLY_TIMEOUT, self.reader.read_line(&mut line))
                .await
                .map_err(|_| SmtpError::io("SMTP reply timed out"))?
                .map_err(SmtpError::io)?;
            if read == 0 {
                return Err(SmtpError::io("SMTP server closed the connection"));
            }
            let line = line.trim_end().to_owned();
            let more = line.as_bytes().get(3) == Some(&b'-');
            lines.push(line);
            if !more {
                break;
            }
        }
        let first = lines[0].as_bytes().first().copied().unwrap_or(b'0');
        if first == b'0' + class {
            Ok(lines)
        } else {
            Err(SmtpError { permanent: first == b'5', connection_usable: true, text: lines.join(" ") })
        }
    }
}

/// RFC 5321 4.5.2: a line that starts with a dot gets one more.
fn dot_stuffed(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 64);
    let mut line_start = true;
    for &byte in content {
        if line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dot_stuffed;

    #[test]
    fn lines_starting_with_a_dot_get_another() {
        assert_eq!(dot_stuffed(b".a\r\nb.\r\n..c\r\n"), b"..a\r\nb.\r\n...c\r\n");
    }
}
