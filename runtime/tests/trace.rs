//! Whatever the runtime traces, at every level, never holds a secret: a whole signed request
//! with temporary credentials runs through `Runtime::invoke` under a subscriber that records
//! every span and event field, and neither the secret key nor the session token may appear.

mod support;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Response};
use s3_runtime::client::{Checksums, ClientConfig, Deserialize, Operation, Runtime};
use s3_runtime::credentials::Credentials;
use s3_runtime::endpoint::{AuthScheme, Endpoint};
use s3_runtime::error::{ErrorMetadata, ResponseError};
use s3_runtime::rest::SerializedRequest;
use support::{error, respond, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";

/// Records every field of every span and event, as text.
#[derive(Default)]
struct Recorder {
    lines: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Recorder {
    fn push(&self, what: &str, visit: impl FnOnce(&mut Line<'_>)) {
        let mut line = what.to_owned();
        visit(&mut Line(&mut line));
        self.lines.lock().unwrap().push(line);
    }
}

/// The subscriber: a handle on the recorder the test reads afterwards.
struct Recording(Arc<Recorder>);

impl Subscriber for Recording {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.0
            .push(span.metadata().name(), |line| span.record(line));
        Id::from_u64(self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        self.0.push("record", |line| values.record(line));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.0
            .push(event.metadata().target(), |line| event.record(line));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn trace_output_of_a_signed_request_holds_no_secret() {
    // A retried error first, so retry and classification events are traced too.
    let server = Server::start(|index, _| match index {
        0 => error(503, "SlowDown", &[]),
        _ => respond(200, &[], "ok"),
    })
    .await;
    let recorder = Arc::new(Recorder::default());
    let _guard = tracing::subscriber::set_default(Recording(recorder.clone()));
    let credentials = Credentials::new("ASIAEXAMPLE", SECRET, Some(TOKEN.to_owned()), None);
    let config = ClientConfig::default()
        .credentials(credentials)
        .retry(s3_runtime::retry::RetryConfig::standard().with_jitter(|| 0.0));
    let auth = AuthScheme::new("sigv4")
        .signing_name("s3")
        .signing_region("us-east-1");
    let output = Runtime::new(&config)
        .invoke(Operation {
            name: "Test",
            bucket: None,
            error_in_success: false,
            request: SerializedRequest::new(Method::GET),
            checksums: Checksums::default(),
            endpoint: Endpoint::new(server.uri("")).with_auth_schemes([auth]),
            endpoint_in_region: None,
            deserialize: Deserialize::Buffered(|response: &Response<Bytes>| {
                Ok::<_, ResponseError>(response.body().len())
            }),
            deserialize_error: |_: &Response<Bytes>, _: &ErrorMetadata| (),
        })
        .await
        .unwrap();
    assert_eq!(output, 2);
    // The token did go out, signed.
    assert!(server.requests()[1].contains(TOKEN));

    let lines = recorder.lines.lock().unwrap();
    let all = lines.join("\n");
    assert!(all.contains("http exchange"), "{all}");
    assert!(all.contains("retrying"), "{all}");
    for secret in [SECRET, TOKEN] {
        assert!(!all.contains(secret), "{secret} traced:\n{all}");
    }
}
