FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY graph ./graph
COPY loaders ./loaders
COPY taiqu ./taiqu
RUN pip install --no-cache-dir . && useradd --create-home taiqu
USER taiqu
ENV TAIQU_HOME=/home/taiqu/data
EXPOSE 8000
CMD ["taiqu", "serve", "--host", "0.0.0.0", "--port", "8000"]
