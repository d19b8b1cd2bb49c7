FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY loaders ./loaders
COPY taiqu ./taiqu
# The data folder exists in the image, owned by taiqu: a named volume mounted on it starts
# as a copy of it (so taiqu can write there), not as a root-owned empty directory.
RUN pip install --no-cache-dir . && useradd --create-home taiqu \
    && mkdir -p /home/taiqu/data && chown taiqu:taiqu /home/taiqu/data
USER taiqu
ENV TAIQU_HOME=/home/taiqu/data
VOLUME /home/taiqu/data
EXPOSE 8000
CMD ["taiqu", "serve", "--host", "0.0.0.0", "--port", "8000"]
