# The course's tools image: the course service and the grading workers (untested: no Docker here).
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends util-linux && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/course
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --omit=optional --no-audit --no-fund
COPY lib ./lib
COPY tools ./tools
COPY exercises ./exercises
COPY tests/autograder ./tests/autograder
ENV COURSE_DATA_DIR=/srv/course-data
# The course service by default; the grader-workers Deployment runs `npm run grader-worker`.
CMD ["node", "node_modules/tsx/dist/cli.mjs", "tools/course-service/main.ts", "--port", "8080", "--workers", "0"]
