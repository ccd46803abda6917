// Reads iCalendar files with an independent RFC 5545 parser (ical.js) and prints, per file,
// what it found as JSON: [{file, method, events: [{uid, sequence, summary, status, start, end}]}].
// Exits non-zero when a file does not parse, has bare LF line ends, or a line over 75 octets.
// Used by the Rust integration tests (tests/it/events.rs) and the events journey.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

export function check(text, name = "calendar") {
  if (/[^\r]\n/.test(text)) throw new Error(`${name}: line end without CR`);
  for (const line of text.split("\r\n")) {
    if (Buffer.byteLength(line, "utf8") > 75) throw new Error(`${name}: line over 75 octets: ${line}`);
  }
  if (text.includes("\uFFFD")) throw new Error(`${name}: replacement character`);
  const component = new ICAL.Component(ICAL.parse(text));
  if (component.name !== "vcalendar") throw new Error(`${name}: not a VCALENDAR`);
  const events = component.getAllSubcomponents("vevent").map((v) => {
    const event = new ICAL.Event(v);
    for (const required of ["uid", "dtstamp", "dtstart"]) {
      if (!v.hasProperty(required)) throw new Error(`${name}: VEVENT without ${required.toUpperCase()}`);
    }
    return {
      uid: event.uid,
      sequence: event.sequence,
      summary: event.summary,
      description: event.description,
      location: event.location,
      status: v.getFirstPropertyValue("status"),
      url: v.getFirstPropertyValue("url"),
      attendee: v.getFirstPropertyValue("attendee"),
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
    };
  });
  return { file: name, method: component.getFirstPropertyValue("method"), events };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const results = process.argv.slice(2).map((file) => check(readFileSync(file, "utf8"), file));
  console.log(JSON.stringify(results));
}
