//! Waiters: a fluent builder's `wait_until_<waiter>()`: the waiter's acceptors, as a `match`,
//! handed to the runtime's `Poller::until`, which polls.

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
         acceptor decides, or gives up after `max_wait`, and returns the response the wait \
         ended on (see [`Waited`](s3_runtime::waiter::Waited)). The acceptors, in order:",
        waiter.name, op.name
    )];
    let mut arms = Vec::new();
    // An acceptor after one that matches every output (or every error) never matches: it gets
    // no arm, which would be unreachable.
    let (mut every_output, mut every_error) = (false, false);
    for acceptor in &waiter.acceptors {
        let (when, pattern, on_error, matches_all) = match &acceptor.matcher {
            Matcher::Success(true) => (
                "the request succeeds".to_owned(),
                quote!(Ok(_)),
                false,
                true,
            ),
            Matcher::Success(false) => ("the request fails".to_owned(), quote!(Err(_)), true, true),
            Matcher::ErrorType(code) => (
                format!("the error is `{code}`"),
                quote!(Err(e) if e.code() == Some(#code)),
                true,
                false,
            ),
        };
        let (state, variant) = match acceptor.state {
            AcceptorState::Success => ("success", quote!(Success)),
            AcceptorState::Failure => ("failure", quote!(Failure)),
            AcceptorState::Retry => ("retry", quote!(Retry)),
        };
        let shadowed = if on_error {
            &mut every_error
        } else {
            &mut every_output
        };
        if *shadowed {
            lines.push(format!(
                "- {when}: {state} (never: an earlier acceptor matches first);"
            ));
        } else {
            lines.push(format!("- {when}: {state};"));
            arms.push(quote!(#pattern => Some(s3_runtime::waiter::AcceptorState::#variant),));
        }
        *shadowed |= matches_all;
    }
    // What no acceptor matches, as Smithy says: an output polls again, an error ends the wait.
    let mut unmatched = Vec::new();
    if !every_output {
        unmatched.push("another output: retry");
    }
    if !every_error {
        unmatched.push("another error ends the wait");
    }
    if !unmatched.is_empty() {
        lines.push(format!("- {}.", unmatched.join("; ")));
        arms.push(quote!(_ => None,));
    }
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
        ) -> Result<
            s3_runtime::waiter::Waited<#output, #error>,
            s3_runtime::waiter::WaitError<#output, #error>,
        > {
            self.client
                .runtime()
                .poller(
                    std::time::Duration::from_secs(#min),
                    std::time::Duration::from_secs(#max),
                    max_wait,
                )
                .until(|| self.clone().send(), |response| match response {
                    #(#arms)*
                })
                .await
        }
    }
}
