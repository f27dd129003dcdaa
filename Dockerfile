# Irikteu API / worker image (slim, non-root). Docker does not run on the development
# machines of this project: this file is kept correct by reading (see README).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY ml ./ml
COPY evaluation ./evaluation

RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    IRIKTEU_DATA_DIR=/var/lib/irikteu IRIKTEU_PROMPTS_DIR=/opt/irikteu/prompts IRIKTEU_ITEM_BANK_DIR=/opt/irikteu/item_bank \
    IRIKTEU_HOST=0.0.0.0 IRIKTEU_PORT=8000
RUN groupadd --system irikteu && useradd --system --gid irikteu --home /var/lib/irikteu irikteu \
 && mkdir -p /var/lib/irikteu && chown irikteu:irikteu /var/lib/irikteu
COPY prompts /opt/irikteu/prompts
COPY item_bank /opt/irikteu/item_bank
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER irikteu
WORKDIR /var/lib/irikteu
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)" || exit 1
CMD ["irikteu", "serve"]
