//! The contenders: aws-sdk-s3 and our client configured alike, and the raw-socket floor.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use s3_benches::wire::Reader;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::scenario::{Scenario, BUCKET, KEY};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const REGION: &str = "us-east-1";
/// Both clients' connect timeout (their default) and read timeout (ours by default).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
const READ_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contender {
    Sdk,
    Ours,
    /// A raw tokio `TcpStream` writing a fixed request and reading the response's head and
    /// `Content-Length` bytes into a reused buffer: no signing, no parsing past the head.
    Floor,
}

impl Contender {
    /// In the order of the table's columns.
    pub const ALL: [Contender; 3] = [Contender::Sdk, Contender::Ours, Contender::Floor];

    pub fn name(self) -> &'static str {
        match self {
            Contender::Sdk => "aws-sdk-s3",
            Contender::Ours => "ours",
            Contender::Floor => "floor",
        }
    }

    /// The name on the command line.
    pub fn arg(self) -> &'static str {
        match self {
            Contender::Sdk => "sdk",
            Contender::Ours => "ours",
            Contender::Floor => "floor",
        }
    }

    pub fn from_arg(arg: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.arg() == arg)
    }
}

/// One contender making one scenario's request to the server at one address.
pub struct Caller {
    scenario: Scenario,
    kind: Kind,
    /// The `PutObject` body, shared with each request.
    body: Bytes,
}

enum Kind {
    Sdk(aws_sdk_s3::Client),
    Ours(s3_client::Client),
    Floor {
        addr: SocketAddr,
        request: Bytes,
        connection: Option<Reader>,
    },
}

impl Caller {
    pub fn new(contender: Contender, scenario: Scenario, addr: SocketAddr) -> Self {
        let endpoint = format!("http://{addr}");
        let kind = match contender {
            Contender::Sdk => Kind::Sdk(sdk(&endpoint)),
            Contender::Ours => Kind::Ours(ours(&endpoint)),
            Contender::Floor => Kind::Floor {
                addr,
                request: scenario.raw_request(),
                connection: None,
            },
        };
        Self {
            scenario,
            kind,
            body: scenario.request_body(),
        }
    }

    /// A caller for another concurrent task: a client is shared with its connection pool; the
    /// floor opens a connection of its own.
    pub fn fork(&self) -> Self {
        let kind = match &self.kind {
            Kind::Sdk(client) => Kind::Sdk(client.clone()),
            Kind::Ours(client) => Kind::Ours(client.clone()),
            Kind::Floor { addr, request, .. } => Kind::Floor {
                addr: *addr,
                request: request.clone(),
                connection: None,
            },
        };
        Self {
            scenario: self.scenario,
            kind,
            body: self.body.clone(),
        }
    }

    /// Makes one request and reads the whole response; what it read or sent (see
    /// [`Scenario::items`]; for the floor, the response body's length). Panics if the request
    /// fails: a benchmark has no use for a failed request.
    pub async fn call(&mut self) -> usize {
        match &mut self.kind {
            Kind::Sdk(client) => sdk_call(client, self.scenario, &self.body).await,
            Kind::Ours(client) => ours_call(client, self.scenario, &self.body).await,
            Kind::Floor {
                addr,
                request,
                connection,
            } => {
                let connection = match connection {
                    Some(connection) => connection,
                    None => connection.insert(Reader::new(
                        TcpStream::connect(*addr).await.expect("a connection"),
                    )),
                };
                connection.stream.write_all(request).await.expect("sent");
                let (_, len) = connection.head().await.expect("read").expect("a head");
                connection.skip(len).await.expect("the body");
                len
            }
        }
    }

    /// Calls once and checks that the call did the scenario's whole work.
    pub async fn check(&mut self) {
        let items = self.call().await;
        if !matches!(self.kind, Kind::Floor { .. }) {
            assert_eq!(items, self.scenario.items(), "{:?}", self.scenario);
        }
    }
}

fn ours(endpoint: &str) -> s3_client::Client {
    use s3_runtime::credentials::Credentials;
    use s3_runtime::http::TimeoutConfig;
    use s3_runtime::retry::RetryConfig;
    let config = s3_client::Config::builder()
        .region(REGION)
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None))
        .retry(RetryConfig::disabled())
        .timeouts(TimeoutConfig {
            connect: CONNECT_TIMEOUT,
            read: Some(READ_TIMEOUT),
            ..TimeoutConfig::default()
        })
        .build();
    s3_client::Client::new(&config)
}

/// aws-sdk-s3 with the latest behavior version, its plain-HTTP hyper client, and checksums only
/// where required, as ours (the SDK adds a CRC32 to every upload by default).
fn sdk(endpoint: &str) -> aws_sdk_s3::Client {
    use aws_sdk_s3::config::retry::RetryConfig;
    use aws_sdk_s3::config::timeout::TimeoutConfig;
    use aws_sdk_s3::config::{
        BehaviorVersion, Credentials, Region, RequestChecksumCalculation,
        ResponseChecksumValidation,
    };
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .credentials_provider(Credentials::new(
            ACCESS_KEY, SECRET_KEY, None, None, "bench",
        ))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(READ_TIMEOUT)
                .build(),
        )
        .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
        .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

async fn ours_call(client: &s3_client::Client, scenario: Scenario, body: &Bytes) -> usize {
    match scenario {
        Scenario::HeadBucket => {
            client
                .head_bucket()
                .bucket(BUCKET)
                .send()
                .await
                .expect("HeadBucket");
            0
        }
        Scenario::ListBuckets(_) => {
            let output = client.list_buckets().send().await.expect("ListBuckets");
            output.buckets.map_or(0, |b| b.len())
        }
        Scenario::ListObjectsV2(_) => {
            let list = client.list_objects_v2().bucket(BUCKET).send();
            list.await
                .expect("ListObjectsV2")
                .contents
                .map_or(0, |c| c.len())
        }
        Scenario::GetObject(_) => {
            let get = client.get_object().bucket(BUCKET).key(KEY).send();
            let mut body = get.await.expect("GetObject").body;
            let mut read = 0;
            while let Some(piece) = body.next().await {
                read += piece.expect("a piece of the body").len();
            }
            read
        }
        Scenario::PutObject(_) => {
            let put = client.put_object().bucket(BUCKET).key(KEY);
            put.body(body.clone()).send().await.expect("PutObject");
            body.len()
        }
    }
}

async fn sdk_call(client: &aws_sdk_s3::Client, scenario: Scenario, body: &Bytes) -> usize {
    match scenario {
        Scenario::HeadBucket => {
            client
                .head_bucket()
                .bucket(BUCKET)
                .send()
                .await
                .expect("HeadBucket");
            0
        }
        Scenario::ListBuckets(_) => {
            let output = client.list_buckets().send().await.expect("ListBuckets");
            output.buckets().len()
        }
        Scenario::ListObjectsV2(_) => {
            let list = client.list_objects_v2().bucket(BUCKET).send();
            list.await.expect("ListObjectsV2").contents().len()
        }
        Scenario::GetObject(_) => {
            let get = client.get_object().bucket(BUCKET).key(KEY).send();
            let mut body = get.await.expect("GetObject").body;
            let mut read = 0;
            while let Some(piece) = body.next().await {
                read += piece.expect("a piece of the body").len();
            }
            read
        }
        Scenario::PutObject(_) => {
            let put = client.put_object().bucket(BUCKET).key(KEY);
            put.body(body.clone().into())
                .send()
                .await
                .expect("PutObject");
            body.len()
        }
    }
}
