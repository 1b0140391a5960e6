//! The endpoint-resolution scenarios of `benches/endpoint.rs` and the `resolve_endpoints`
//! example, with our parameters and the peer's built from the same values. Both include this
//! file by path: it needs s3-client and aws-sdk-s3, dev-dependencies, so it cannot be part of
//! the library.

use std::future::Future;
use std::pin::pin;
use std::sync::LazyLock;
use std::task::{Context, Poll, Waker};

use aws_sdk_s3::config::endpoint::{DefaultResolver, Params as PeerParams, ResolveEndpoint};
use s3_client::endpoint::Params;
use s3_runtime::endpoint::EndpointUrl;

/// One scenario: our params and the peer's.
pub struct Scenario {
    pub name: &'static str,
    pub ours: Params<'static>,
    pub peer: PeerParams,
}

/// The custom endpoint, checked and parsed once as a client configuration holds it.
static CUSTOM_ENDPOINT: LazyLock<EndpointUrl> =
    LazyLock::new(|| EndpointUrl::new("http://127.0.0.1:9000"));

fn scenario(name: &'static str, set: impl Fn(&mut Params<'static>)) -> Scenario {
    let mut ours = Params::default();
    set(&mut ours);
    let peer = PeerParams::builder()
        .set_bucket(ours.bucket.map(str::to_owned))
        .set_region(ours.region.map(str::to_owned))
        .set_endpoint(ours.endpoint.map(|url| url.as_str().to_owned()))
        .use_fips(ours.use_fips)
        .use_dual_stack(ours.use_dual_stack)
        .force_path_style(ours.force_path_style)
        .set_use_s3_express_control_endpoint(ours.use_s3_express_control_endpoint)
        .build()
        .expect("valid peer params");
    Scenario { name, ours, peer }
}

pub fn scenarios() -> Vec<Scenario> {
    vec![
        scenario("virtual_hosted", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-west-2");
        }),
        scenario("path_style_custom_endpoint", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-east-1");
            p.endpoint = Some(&CUSTOM_ENDPOINT);
            p.force_path_style = true;
        }),
        scenario("fips_dual_stack", |p| {
            p.bucket = Some("my-bucket");
            p.region = Some("us-east-1");
            p.use_fips = true;
            p.use_dual_stack = true;
        }),
        scenario("express_zonal", |p| {
            p.bucket = Some("mybucket--usw2-az1--x-s3");
            p.region = Some("us-west-2");
        }),
        scenario("express_control_plane", |p| {
            p.bucket = Some("mybucket--usw2-az1--x-s3");
            p.region = Some("us-west-2");
            p.use_s3_express_control_endpoint = Some(true);
        }),
    ]
}

/// The peer's resolution, which is ready at once.
pub fn peer_resolve(
    resolver: &DefaultResolver,
    params: &PeerParams,
) -> aws_sdk_s3::config::endpoint::Endpoint {
    let future = pin!(resolver.resolve_endpoint(params));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(endpoint) => endpoint.expect("the peer resolves"),
        Poll::Pending => panic!("the peer's endpoint future is not ready"),
    }
}
