//! How the platform talks SMTP, for the outbox and the newsletter alike.
//!
//! Plain `smtp://` relays get a small client of our own, written for two reasons:
//!
//! - it can send a message *except its final dot*, and send the dot later. The senders use
//!   that to check, right before the dot (the moment the server takes responsibility for the
//!   message), that the message is still theirs to send; and the newsletter puts message k+1
//!   on the wire while the row of message k is being marked sent, sending k+1's dot only once
//!   that mark is written. At most one accepted message per connection is ever unmarked.
//! - every step has a deadline of its own: the greeting, each command, the content, and the
//!   final reply. A relay that accepts the connection and then stays silent costs at most
//!   `STEP` before the connection is dropped and the sender tries again later. The final
//!   reply may take the ten minutes RFC 5321 (4.5.3.2.6) allows: giving up on it earlier
//!   would send again a message the relay may well have taken.
//!
//! TLS connections (`smtps://`, STARTTLS) and relays that need a login go through lettre's
//! pooled transport, which sends the whole message at the dot; one deadline covers it all.

use std::time::Duration;

use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::Instant;

use crate::config::Config;

/// Opening the TCP connection.
const CONNECT: Duration = Duration::from_secs(10);
/// The greeting, EHLO, MAIL, RCPT, DATA and RSET, each (pipelined: the three replies together).
pub const STEP: Duration = Duration::from_secs(30);
/// Writing the content of one message.
const CONTENT: Duration = Duration::from_secs(120);
/// The reply to the final dot (RFC 5321 4.5.3.2.6: ten minutes).
pub const FINAL_REPLY: Duration = Duration::from_secs(600);

#[derive(Debug)]
pub struct SmtpError {
    /// A 5xx reply: retrying will not help.
    pub permanent: bool,
    /// After a reply the connection can go on (after RSET); after an I/O error or a timeout
    /// it cannot.
    pub connection_usable: bool,
    /// No answer within the step's deadline.
    pub timed_out: bool,
    pub text: String,
}

impl SmtpError {
    fn io(error: impl std::fmt::Display) -> Self {
        Self { permanent: false, connection_usable: false, timed_out: false, text: error.to_string() }
    }

    fn timeout(what: &str) -> Self {
        Self {
            permanent: false,
            connection_usable: false,
            timed_out: true,
            text: format!("SMTP: {what} timed out"),
        }
    }
}

pub struct Connection {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    pipelining: bool,
}

impl Connection {
    pub async fn connect(address: &str, helo_name: &str) -> Result<Self, SmtpError> {
        let stream = tokio::time::timeout(CONNECT, TcpStream::connect(address))
            .await
            .map_err(|_| SmtpError::timeout(&format!("connecting to {address}")))?
            .map_err(SmtpError::io)?;
        // Small writes (a lone ".\r\n") must not wait for the server's delayed ACK.
        stream.set_nodelay(true).map_err(SmtpError::io)?;
        let (read, writer) = stream.into_split();
        let mut connection = Self { reader: BufReader::new(read), writer, pipelining: false };
        // A refusal here (421, 554) is about the relay, not about any message: the connection
        // is given up and the message keeps its place.
        let refused = |e: SmtpError| SmtpError { permanent: false, connection_usable: false, ..e };
        connection.expect(2, Instant::now() + STEP, "greeting").await.map_err(refused)?;
        connection.write(format!("EHLO {helo_name}\r\n").as_bytes(), Instant::now() + STEP).await?;
        let lines = connection.expect(2, Instant::now() + STEP, "EHLO").await.map_err(refused)?;
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
            // RFC 2920: the three commands in one write, then their three replies, all
            // within one deadline (not one per reply in turn).
            let deadline = Instant::now() + STEP;
            self.write(format!("{mail}{rcpt}DATA\r\n").as_bytes(), deadline).await?;
            let mail_reply = self.expect(2, deadline, "MAIL").await;
            if let Err(e) = &mail_reply
                && !e.connection_usable
            {
                return Err(mail_reply.unwrap_err());
            }
            let rcpt_reply = self.expect(2, deadline, "RCPT").await;
            if let Err(e) = &rcpt_reply
                && !e.connection_usable
            {
                return Err(rcpt_reply.unwrap_err());
            }
            let data_reply = self.expect(3, deadline, "DATA").await;
            if let Err(error) = mail_reply.and(rcpt_reply) {
                if data_reply.is_ok() {
                    // The server opened DATA anyway; ending it empty-handed is not possible,
                    // so drop the connection rather than risk sending anything.
                    return Err(SmtpError { connection_usable: false, ..error });
                }
                self.reset().await;
                return Err(error);
            }
            data_reply?;
        } else {
            for (command, class, what) in
                [(mail.as_str(), 2, "MAIL"), (rcpt.as_str(), 2, "RCPT"), ("DATA\r\n", 3, "DATA")]
            {
                let deadline = Instant::now() + STEP;
                self.write(command.as_bytes(), deadline).await?;
                if let Err(error) = self.expect(class, deadline, what).await {
                    if error.connection_usable {
                        self.reset().await;
                    }
                    return Err(error);
                }
            }
        }
        let mut stuffed = dot_stuffed(content);
        if !stuffed.ends_with(b"\r\n") {
            stuffed.extend_from_slice(b"\r\n");
        }
        self.write(&stuffed, Instant::now() + CONTENT).await
    }

    /// The final dot: from the server's 250 on, the message is delivered.
    pub async fn finish(&mut self) -> Result<(), SmtpError> {
        let deadline = Instant::now() + FINAL_REPLY;
        self.write(b".\r\n", deadline).await?;
        self.expect(2, deadline, "the reply to the final dot").await.map(|_| ())
    }

    async fn reset(&mut self) {
        let deadline = Instant::now() + STEP;
        if self.write(b"RSET\r\n", deadline).await.is_ok() {
            let _ = self.expect(2, deadline, "RSET").await;
        }
    }

    async fn write(&mut self, bytes: &[u8], deadline: Instant) -> Result<(), SmtpError> {
        tokio::time::timeout_at(deadline, self.writer.write_all(bytes))
            .await
            .map_err(|_| SmtpError::timeout("writing"))?
            .map_err(SmtpError::io)
    }

    /// Reads one (possibly multi-line) reply by `deadline` and checks its first digit.
    async fn expect(&mut self, class: u8, deadline: Instant, what: &str) -> Result<Vec<String>, SmtpError> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout_at(deadline, self.reader.read_line(&mut line))
                .await
                .map_err(|_| SmtpError::timeout(&format!("waiting for {what}")))?
                .map_err(SmtpError::io)?;
            if read == 0 {
                return Err(SmtpError::io(format!("SMTP server closed the connection (waiting for {what})")));
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
            Err(SmtpError {
                permanent: first == b'5',
                connection_usable: true,
                timed_out: false,
                text: lines.join(" "),
            })
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

/// Why a message did not go out.
#[derive(Debug)]
pub struct Failure {
    /// A 5xx reply: this message will never be taken.
    pub permanent: bool,
    /// The relay itself failed (unreachable, silent, connection lost), not this message: the
    /// sender pauses before it tries again, instead of spending the message's attempts.
    pub relay: bool,
    pub text: String,
}

impl Failure {
    fn from_smtp(error: SmtpError) -> Self {
        Self { permanent: error.permanent, relay: !error.connection_usable, text: error.text }
    }

    fn from_lettre(error: &lettre::transport::smtp::Error) -> Self {
        Self {
            permanent: error.is_permanent(),
            relay: !error.is_permanent() && !error.is_transient(),
            text: error.to_string(),
        }
    }
}

/// lettre's transport, for TLS relays and relays that need a login.
pub fn transport(config: &Config) -> anyhow::Result<Option<AsyncSmtpTransport<Tokio1Executor>>> {
    let Some(url) = &config.smtp_url else { return Ok(None) };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        .map_err(|e| anyhow::anyhow!("SMTP_URL: {e}"))?
        .timeout(Some(STEP))
        .build();
    Ok(Some(transport))
}

/// One sender's way to the relay: `begin` a message, then `finish` it with the final dot (or
/// `abandon` it, so the relay never takes it).
pub enum Smtp {
    Plain { address: String, helo: String, connection: Option<Box<Connection>> },
    Pooled { transport: AsyncSmtpTransport<Tokio1Executor>, pending: Option<Message> },
}

impl Smtp {
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Smtp>> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let plain = url.scheme() == "smtp"
            && !url.query().unwrap_or_default().contains("tls")
            && url.username().is_empty();
        if plain {
            let host = url.host_str().unwrap_or("localhost");
            let address = format!("{host}:{}", url.port().unwrap_or(25));
            let helo = config.mail_domain();
            return Ok(Some(Smtp::Plain { address, helo, connection: None }));
        }
        Ok(transport(config)?.map(|transport| Smtp::Pooled { transport, pending: None }))
    }

    /// Everything of `message` except the final dot.
    pub async fn begin(&mut self, message: Message) -> Result<(), Failure> {
        match self {
            Smtp::Pooled { pending, .. } => {
                *pending = Some(message);
                Ok(())
            }
            Smtp::Plain { address, helo, connection } => {
                let envelope = message.envelope();
                let from = envelope.from().map(|a| a.to_string()).unwrap_or_default();
                let to = envelope.to().first().map(|a| a.to_string()).unwrap_or_default();
                let content = message.formatted();
                // A kept connection the server has closed meanwhile is opened again once;
                // a silent one is not waited for twice.
                let mut reused = connection.is_some();
                loop {
                    if connection.is_none() {
                        *connection = Some(Box::new(
                            Connection::connect(address, helo).await.map_err(Failure::from_smtp)?,
                        ));
                    }
                    let Some(open) = connection.as_mut() else { continue };
                    match open.begin(&from, &to, &content).await {
                        Ok(()) => return Ok(()),
                        Err(e) if e.connection_usable => return Err(Failure::from_smtp(e)),
                        Err(e) => {
                            *connection = None;
                            if !reused || e.timed_out {
                                return Err(Failure::from_smtp(e));
                            }
                            reused = false;
                        }
                    }
                }
            }
        }
    }

    /// The final dot of the message begun: from its 250 on, the message is delivered.
    pub async fn finish(&mut self) -> Result<(), Failure> {
        match self {
            Smtp::Pooled { transport, pending } => {
                let Some(message) = pending.take() else {
                    return Err(Failure { permanent: false, relay: false, text: "no message begun".into() });
                };
                match tokio::time::timeout(FINAL_REPLY + 4 * STEP, transport.send(message)).await {
                    Ok(sent) => sent.map(|_| ()).map_err(|e| Failure::from_lettre(&e)),
                    Err(_) => {
                        Err(Failure { permanent: false, relay: true, text: "SMTP: sending timed out".into() })
                    }
                }
            }
            Smtp::Plain { connection, .. } => {
                let Some(open) = connection.as_mut() else {
                    return Err(Failure { permanent: false, relay: false, text: "no message begun".into() });
                };
                open.finish().await.map_err(|e| {
                    if !e.connection_usable {
                        *connection = None;
                    }
                    Failure::from_smtp(e)
                })
            }
        }
    }

    /// Gives up the message begun without its dot, so the server never accepts it.
    pub fn abandon(&mut self) {
        match self {
            Smtp::Pooled { pending, .. } => *pending = None,
            Smtp::Plain { connection, .. } => *connection = None,
        }
    }

    /// Closes a kept connection (when there is nothing to send for a while).
    pub fn close(&mut self) {
        if let Smtp::Plain { connection, .. } = self {
            *connection = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dot_stuffed;

    #[test]
    fn lines_starting_with_a_dot_get_another() {
        assert_eq!(dot_stuffed(b".a\r\nb.\r\n..c\r\n"), b"..a\r\nb.\r\n...c\r\n");
    }
}
