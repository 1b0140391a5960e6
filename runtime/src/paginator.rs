//! Paginators: one [`Stream`] of pages for every paginated operation, driven by what the
//! model's `smithy.api#paginated` trait tells the generated code.
//!
//! The generated `into_paginator()` builds the operation's input once and hands this module
//! four things: the input, an accessor for the input's token member (`inputToken`), a getter
//! for the output's next token (`outputToken`), and a function that sends one page. Each
//! request's future takes the input by value and gives it back with the result, so the next
//! page's input is the previous one with its token replaced: nothing is cloned per page but the
//! new token (and whatever the send function captures, such as a client handle).
//!
//! The stream ends after a page whose next token is absent, empty, or the same as the token the
//! page was requested with (a service bug that would otherwise page forever), and after the
//! first error. A page is sent once: polling again after an error or the last page yields
//! `None` without sending anything.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::{FusedStream, Stream};

use crate::client::SendFuture;
use crate::error::{BuildError, Error};

/// One page's request in flight: resolves to the input it was sent with, handed back for the
/// next page, and the page's result.
pub type PageFuture<I, O, E> = SendFuture<(I, Result<O, Error<E>>)>;

/// Sends one page: takes the input and returns the page's future, which gives the input back.
type SendPage<I, O, E> = Box<dyn FnMut(I) -> PageFuture<I, O, E> + Send>;

/// The pages of a paginated operation with input `I`, output `O` and operation error `E`: a
/// [`Stream`] of `Result<O, Error<E>>`, one request per item, requested when polled.
///
/// See the [module documentation](self) for how it follows tokens and when it ends.
/// [`items`](Self::items) flattens the pages into their items.
pub struct Paginator<I, O, E> {
    state: State<I, O, E>,
    input_token: fn(&mut I) -> &mut Option<String>,
    output_token: fn(&O) -> Option<&str>,
    send: SendPage<I, O, E>,
}

/// Where a paginator is.
enum State<I, O, E> {
    /// The next page's input, not sent yet.
    Next(I),
    /// A page's request in flight.
    Sending(PageFuture<I, O, E>),
    /// The input could not be built: the error is the stream's only item.
    Failed(Error<E>),
    /// The last page or an error has been yielded.
    Done,
}

impl<I, O, E> Paginator<I, O, E> {
    /// The pages that start with `input` (when it could be built: otherwise the error is the
    /// stream's single item).
    ///
    /// - `input_token`: the input's continuation token member, read to spot a repeated token
    ///   and set for each next page;
    /// - `output_token`: the output's next token, if any;
    /// - `send`: sends one page, giving the input back with the result.
    pub fn new<F>(
        input: Result<I, BuildError>,
        input_token: fn(&mut I) -> &mut Option<String>,
        output_token: fn(&O) -> Option<&str>,
        send: F,
    ) -> Self
    where
        F: FnMut(I) -> PageFuture<I, O, E> + Send + 'static,
    {
        let state = match input {
            Ok(input) => State::Next(input),
            Err(error) => State::Failed(Error::Build(error)),
        };
        Self {
            state,
            input_token,
            output_token,
            send: Box::new(send),
        }
    }

    /// The items of every page, in order: `items` takes a page's list (the `paginated` trait's
    /// `items` member) out of its output. The first error is the last item.
    pub fn items<T: IntoIterator>(self, items: fn(O) -> T) -> Items<I, O, E, T> {
        Items {
            pages: self,
            items,
            page: None,
        }
    }
}

impl<I, O, E> Stream for Paginator<I, O, E> {
    type Item = Result<O, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Next(input) => this.state = State::Sending((this.send)(input)),
                State::Sending(mut page) => {
                    let Poll::Ready((mut input, result)) = page.as_mut().poll(cx) else {
                        this.state = State::Sending(page);
                        return Poll::Pending;
                    };
                    if let Ok(output) = &result {
                        let next = (this.output_token)(output).filter(|next| !next.is_empty());
                        let token = (this.input_token)(&mut input);
                        if let Some(next) = next.filter(|next| token.as_deref() != Some(*next)) {
                            *token = Some(next.to_owned());
                            this.state = State::Next(input);
                        }
                    }
                    return Poll::Ready(Some(result));
                }
                State::Failed(error) => return Poll::Ready(Some(Err(error))),
                State::Done => return Poll::Ready(None),
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            State::Failed(_) => (1, Some(1)),
            State::Next(_) | State::Sending(_) => (1, None),
        }
    }
}

impl<I, O, E> FusedStream for Paginator<I, O, E> {
    fn is_terminated(&self) -> bool {
        matches!(self.state, State::Done)
    }
}

/// Nothing is pinned in place: the page in flight is boxed.
impl<I, O, E> Unpin for Paginator<I, O, E> {}

impl<I: fmt::Debug, O, E: fmt::Debug> fmt::Debug for Paginator<I, O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Paginator");
        match &self.state {
            State::Next(input) => s.field("next", input),
            State::Sending(_) => s.field("state", &"sending"),
            State::Failed(error) => s.field("failed", error),
            State::Done => s.field("state", &"done"),
        };
        s.finish_non_exhaustive()
    }
}

/// The items of a [`Paginator`]'s pages, from [`Paginator::items`]: a [`Stream`] of
/// `Result<T::Item, Error<E>>` that requests the next page when the current one is used up.
pub struct Items<I, O, E, T: IntoIterator> {
    pages: Paginator<I, O, E>,
    items: fn(O) -> T,
    page: Option<T::IntoIter>,
}

impl<I, O, E, T: IntoIterator> Stream for Items<I, O, E, T> {
    type Item = Result<T::Item, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.page.as_mut().and_then(Iterator::next) {
                return Poll::Ready(Some(Ok(item)));
            }
            this.page = None;
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Ready(Some(Ok(output))) => {
                    this.page = Some((this.items)(output).into_iter());
                }
                Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<I, O, E, T: IntoIterator> FusedStream for Items<I, O, E, T> {
    fn is_terminated(&self) -> bool {
        self.page.is_none() && self.pages.is_terminated()
    }
}

/// Nothing is pinned in place: the paginator is `Unpin` and the page's items are only iterated.
impl<I, O, E, T: IntoIterator> Unpin for Items<I, O, E, T> {}

impl<I: fmt::Debug, O, E: fmt::Debug, T: IntoIterator> fmt::Debug for Items<I, O, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A fake operation's input: the token it is sent with, a member the pages must keep, and
    /// how many requests it has been through (the fake service counts them in the input it
    /// hands back, so each request shows that it got the previous request's input).
    #[derive(Debug, Clone, PartialEq)]
    struct Input {
        token: Option<String>,
        prefix: String,
        sent: usize,
    }

    #[derive(Debug, PartialEq)]
    struct Output {
        next: Option<String>,
        items: Vec<u32>,
    }

    /// The fake operation's modeled errors: none.
    #[derive(Debug)]
    enum OpError {}

    /// A response of the fake service: a page, or an error.
    type Reply = Result<(Option<&'static str>, Vec<u32>), &'static str>;

    /// The inputs the fake service received, in order.
    type Sent = Arc<Mutex<Vec<Input>>>;

    /// A paginator over a fake service that answers the `n`th request with `replies[n]` (a
    /// request past the end panics), after one `Pending` poll when `pending` is set.
    fn paginator(replies: Vec<Reply>, pending: bool) -> (Paginator<Input, Output, OpError>, Sent) {
        let sent = Sent::default();
        let log = sent.clone();
        let mut replies = replies.into_iter();
        let pages: Paginator<Input, Output, OpError> = Paginator::new(
            Ok(Input {
                token: None,
                prefix: "p/".to_owned(),
                sent: 0,
            }),
            |input| &mut input.token,
            |output| output.next.as_deref(),
            move |input| {
                log.lock().unwrap().push(input.clone());
                let reply = replies.next().expect("a request after the last reply");
                let mut polled = !pending;
                Box::pin(std::future::poll_fn(move |cx| {
                    if !polled {
                        polled = true;
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                    let result = match reply.clone() {
                        Ok((next, items)) => Ok(Output {
                            next: next.map(str::to_owned),
                            items,
                        }),
                        Err(message) => {
                            Err(Error::Build(BuildError::invalid_value("fake", message)))
                        }
                    };
                    let back = Input {
                        sent: input.sent + 1,
                        ..input.clone()
                    };
                    Poll::Ready((back, result))
                }))
            },
        );
        (pages, sent)
    }

    /// Polls `stream` to its end, then once more.
    async fn collect<S: Stream + Unpin>(mut stream: S) -> Vec<S::Item> {
        let mut items = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await
        {
            items.push(item);
        }
        let again = std::future::poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await;
        assert!(again.is_none(), "an ended stream stays ended");
        items
    }

    fn tokens(sent: &Sent) -> Vec<Option<String>> {
        let sent = sent.lock().unwrap();
        for (n, input) in sent.iter().enumerate() {
            assert_eq!(input.prefix, "p/");
            assert_eq!(
                input.sent, n,
                "request {n} got the input the previous one handed back"
            );
        }
        sent.iter().map(|input| input.token.clone()).collect()
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn page(output: &Result<Output, Error<OpError>>) -> Vec<u32> {
        output.as_ref().unwrap().items.clone()
    }

    #[test]
    fn follows_tokens_until_an_absent_one() {
        for pending in [false, true] {
            let (pages, sent) = paginator(
                vec![
                    Ok((Some("a"), vec![1, 2])),
                    Ok((Some("b"), vec![3])),
                    Ok((None, vec![4])),
                ],
                pending,
            );
            let pages = block_on(collect(pages));
            assert_eq!(
                pages.iter().map(page).collect::<Vec<_>>(),
                [vec![1, 2], vec![3], vec![4]]
            );
            assert_eq!(
                tokens(&sent),
                [None, Some("a".to_owned()), Some("b".to_owned())],
                "each page sent once, with the previous page's token"
            );
        }
    }

    #[test]
    fn stops_on_an_empty_token() {
        let (pages, sent) = paginator(
            vec![Ok((Some("a"), vec![1])), Ok((Some(""), vec![2]))],
            false,
        );
        assert_eq!(block_on(collect(pages)).len(), 2);
        assert_eq!(tokens(&sent), [None, Some("a".to_owned())]);
    }

    #[test]
    fn stops_on_a_repeated_token() {
        let (pages, sent) = paginator(
            vec![Ok((Some("a"), vec![1])), Ok((Some("a"), vec![2]))],
            false,
        );
        let pages = block_on(collect(pages));
        assert_eq!(
            pages.iter().map(page).collect::<Vec<_>>(),
            [vec![1], vec![2]]
        );
        assert_eq!(tokens(&sent), [None, Some("a".to_owned())]);
    }

    #[test]
    fn stops_after_an_error() {
        for pending in [false, true] {
            let (pages, sent) = paginator(
                vec![Ok((Some("a"), vec![1])), Err("boom"), Ok((None, vec![3]))],
                pending,
            );
            let pages = block_on(collect(pages));
            assert_eq!(pages.len(), 2);
            assert!(pages[0].is_ok());
            assert!(matches!(&pages[1], Err(Error::Build(e)) if e.to_string().contains("boom")));
            assert_eq!(tokens(&sent), [None, Some("a".to_owned())]);
        }
    }

    #[test]
    fn an_input_that_cannot_be_built_is_the_only_item() {
        let sent = Sent::default();
        let log = sent.clone();
        let pages: Paginator<Input, Output, OpError> = Paginator::new(
            Err(BuildError::missing_member("Input", "bucket")),
            |input| &mut input.token,
            |output| output.next.as_deref(),
            move |input| {
                log.lock().unwrap().push(input);
                unreachable!("nothing is sent")
            },
        );
        assert_eq!(pages.size_hint(), (1, Some(1)));
        let pages = block_on(collect(pages));
        assert!(matches!(&pages[..], [Err(Error::Build(_))]));
        assert!(sent.lock().unwrap().is_empty());
    }

    #[test]
    fn is_terminated_and_size_hint_follow_the_state() {
        let (mut pages, _) = paginator(vec![Ok((None, vec![1]))], false);
        assert!(!pages.is_terminated());
        assert_eq!(pages.size_hint(), (1, None));
        block_on(std::future::poll_fn(|cx| {
            Pin::new(&mut pages).poll_next(cx)
        }))
        .unwrap()
        .unwrap();
        assert!(pages.is_terminated());
        assert_eq!(pages.size_hint(), (0, Some(0)));
        assert!(format!("{pages:?}").contains("done"));
    }

    #[test]
    fn items_flatten_the_pages() {
        let (pages, sent) = paginator(
            vec![
                Ok((Some("a"), vec![1, 2])),
                Ok((Some("b"), vec![])),
                Ok((None, vec![3])),
            ],
            true,
        );
        let items = block_on(collect(pages.items(|output| output.items)));
        assert_eq!(
            items.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(tokens(&sent).len(), 3);
    }

    #[test]
    fn items_end_with_the_first_error() {
        let (pages, sent) = paginator(vec![Ok((Some("a"), vec![1])), Err("boom")], false);
        let mut items = pages.items(|output| output.items);
        let all = block_on(async {
            let mut all = Vec::new();
            while let Some(item) =
                std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await
            {
                all.push(item);
            }
            all
        });
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].as_ref().ok(), Some(&1));
        assert!(all[1].is_err());
        assert!(items.is_terminated());
        assert_eq!(tokens(&sent).len(), 2);
    }

    #[test]
    fn is_send() {
        fn send<T: Send>(_: &T) {}
        let (pages, _) = paginator(vec![], false);
        send(&pages);
        send(&pages.items(|output| output.items));
    }
}
