//! Waiters: a fluent builder's `wait_until_<waiter>()`, polling until an acceptor decides.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{doc_lines, doc_text};
use crate::ir::{AcceptorState, Matcher, OperationIr, Waiter};
use crate::naming::{ident, snake};

/// `wait_until_<waiter>()`: polls the operation until an acceptor decides, documented with the
/// acceptors in the order they are tried.
pub(super) fn waiter(op: &OperationIr<'_>, waiter: &Waiter<'_>) -> TokenStream {
    let method = format_ident!("wait_until_{}", snake(waiter.name).trim_start_matches("r#"));
    let output = ident(&op.output.name);
    let error = format_ident!("{}Error", op.name);
    let (min, max) = (waiter.min_delay, waiter.max_delay);
    let mut lines = vec![format!(
        "Waits until `{}`: sends `{}` every {min} s to {max} s (growing, randomised) until an \
         acceptor decides, or gives up after `max_wait`. The acceptors, in order:",
        waiter.name, op.name
    )];
    let mut checks = Vec::new();
    for acceptor in &waiter.acceptors {
        let (when, condition) = match &acceptor.matcher {
            Matcher::Success(true) => ("the request succeeds".to_owned(), quote!(result.is_ok())),
            Matcher::Success(false) => ("the request fails".to_owned(), quote!(result.is_err())),
            Matcher::ErrorType(code) => (
                format!("the error is `{code}`"),
                quote!(result.as_ref().err().and_then(|e| e.code()) == Some(#code)),
            ),
        };
        let (state, action) = match acceptor.state {
            AcceptorState::Success => ("success", quote!(return Ok(result.ok());)),
            AcceptorState::Failure => (
                "failure",
                quote!(return Err(s3_runtime::waiter::WaitError::Failure(result.err()));),
            ),
            AcceptorState::Retry => ("retry", quote!(poller.wait().await?; continue;)),
        };
        lines.push(format!("- {when}: {state};"));
        checks.push(quote!(if #condition { #action }));
    }
    lines.push(
        "- any other error ends the wait. On success, the output is `None` when an error matched."
            .to_owned(),
    );
    let mut text = doc_text(waiter.docs, &[]);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(&lines.join("\n"));
    let docs = doc_lines(&text);
    quote! {
        #docs
        pub async fn #method(
            self,
            max_wait: std::time::Duration,
        ) -> Result<Option<#output>, s3_runtime::waiter::WaitError<#error>> {
            let mut poller = self.client.runtime().poller(
                std::time::Duration::from_secs(#min),
                std::time::Duration::from_secs(#max),
                max_wait,
            );
            loop {
                let result = self.clone().send().await;
                #(#checks)*
                if let Err(e) = result {
                    return Err(s3_runtime::waiter::WaitError::Operation(e));
                }
                poller.wait().await?;
            }
        }
    }
}
