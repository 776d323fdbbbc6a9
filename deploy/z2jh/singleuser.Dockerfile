# A student's server: JupyterLab (the course's pins) + the course kernel, with the course library
# copied into the home at start (tslab compiles local .ts only below its working directory).
# Untested: no Docker here. Hidden tests and solutions are NOT in this image.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/course
COPY requirements-lab.txt requirements-hub.txt ./
RUN python3 -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements-lab.txt -r requirements-hub.txt
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY lib ./lib
COPY tools/kernel/serialSend.cjs ./tools/kernel/serialSend.cjs
COPY deploy/z2jh/student-kernel.json /opt/venv/share/jupyter/kernels/ts-course/kernel.json
COPY deploy/z2jh/start-student.sh /usr/local/bin/start-student.sh
RUN useradd -m -u 1000 jovyan
USER jovyan
ENV PATH=/opt/venv/bin:$PATH
CMD ["/usr/local/bin/start-student.sh"]
