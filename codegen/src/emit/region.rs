//! What service patches add for regions: `Client::bucket_region`, an output's `region()`, and
//! the input member a request fills from the client's region.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_lines;
use crate::ir::{BucketRegion, OperationIr, RegionDefault, RegionMember};
use crate::naming::ident;

/// `Client::bucket_region`: sends the operation for the bucket and reads the region from its
/// output or from its error.
pub(super) fn bucket_region_method(bucket_region: &BucketRegion) -> TokenStream {
    let (module, bucket, region) = (
        ident(&bucket_region.module),
        ident(&bucket_region.bucket),
        ident(&bucket_region.region),
    );
    let error = format_ident!("{}Error", bucket_region.operation);
    let docs = doc_lines(&format!(
        "The region `bucket` is in, from a `{op}` request: S3 names it on success and when it \
         refuses the request because the bucket is in another region (`301`, `400`) or because \
         the caller may not access it (`403`), so the client's region need not be the bucket's. \
         Any other error, such as a bucket that does not exist, is returned.",
        op = bucket_region.operation
    ));
    let missing = format!(
        "the `{}` response names no region (`x-amz-bucket-region`)",
        bucket_region.operation
    );
    quote! {
        #docs
        pub async fn bucket_region(&self, bucket: impl Into<String>) -> Result<String, s3_runtime::error::Error<crate::operation::#module::#error>> {
            match self.#module().#bucket(bucket).send().await {
                Ok(output) => output.#region.ok_or_else(|| {
                    s3_runtime::error::Error::Response(s3_runtime::error::ResponseError::new(#missing))
                }),
                Err(e) => match e.region() {
                    Some(region) => Ok(region.to_owned()),
                    None => Err(e),
                },
            }
        }
    }
}

/// The output's `region()`, reading a member that names a region in a legacy form.
pub(super) fn output_region(op: &OperationIr<'_>, member: &RegionMember) -> TokenStream {
    let output = ident(&op.output.name);
    let field = ident(&member.field);
    let absent = member.absent;
    let aliases = member
        .aliases
        .iter()
        .map(|(value, region)| quote!(Some(#value) => #region,));
    let aliased: Vec<_> = member
        .aliases
        .iter()
        .map(|(value, region)| format!("`{value}` as `{region}`"))
        .collect();
    let docs = doc_lines(&format!(
        "The region [`{field}`](Self::{field}) names, with {} and none (or an empty value) as \
         `{absent}`.",
        aliased.join(", "),
        field = member.field,
    ));
    quote! {
        impl #output {
            #docs
            pub fn region(&self) -> &str {
                match self.#field.as_ref().map(|value| value.as_str()) {
                    None | Some("") => #absent,
                    #(#aliases)*
                    Some(region) => region,
                }
            }
        }
    }
}

/// `default_from_region(input, region)`, which the operation's `send` and `presigned` call.
pub(super) fn region_default_fn(op: &OperationIr<'_>, default: &RegionDefault) -> TokenStream {
    let input = ident(&op.input.name);
    let (container, container_type, field, enum_type) = (
        ident(&default.container),
        ident(&default.container_type),
        ident(&default.field),
        ident(&default.enum_type),
    );
    let unless = default.unless.iter().map(|m| ident(m));
    let implied = default.implied;
    let docs = doc_lines(&format!(
        "Sets `{container}.{field}` to the client's region, when the caller set neither it nor {} \
         and the region is not `{implied}`: the service refuses the request otherwise.",
        default
            .unless
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(" nor "),
        container = default.container,
        field = default.field,
    ));
    quote! {
        #docs
        fn default_from_region(input: &mut #input, region: Option<&str>) {
            let Some(region) = region.filter(|region| *region != #implied) else {
                return;
            };
            let container = input.#container.get_or_insert_with(|| crate::types::#container_type::builder().build());
            if container.#field.is_none() #(&& container.#unless.is_none())* {
                container.#field = Some(crate::types::#enum_type::from(region));
            }
        }
    }
}
