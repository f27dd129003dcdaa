"""Essays (эссе) and the practical assessment (практикалық бағалау): the written stages the commission scores."""
