-- Every input a run read for a project, with its content hash: evidence files and sources, the
-- project's configuration and the rubric. Comparing two runs' rows says which inputs changed.
{{ config(materialized='incremental') }}

with evidence as (
    select * from {{ ref('stg_raw__evidence_inputs') }}
),

projects as (
    select * from {{ ref('stg_raw__project_runs') }}
),

runs as (
    select * from {{ ref('stg_raw__runs') }}
),

evidence_fingerprints as (
    select
        run_id,
        project_id,
        evidence_kind as input_kind,
        name,
        source,
        fingerprint,
        status
    from evidence
),

config_fingerprints as (
    select
        run_id,
        project_id,
        'project_config' as input_kind,
        'project.yml' as name,
        'project.yml' as source,
        config_fingerprint as fingerprint,
        'ok' as status
    from projects
),

rubric_fingerprints as (
    select
        projects.run_id,
        projects.project_id,
        'rubric' as input_kind,
        'rubric' as name,
        'version ' || runs.rubric_version as source,
        runs.rubric_fingerprint as fingerprint,
        'ok' as status
    from projects
    inner join runs on projects.run_id = runs.run_id
),

unioned as (
    select * from evidence_fingerprints
    union all
    select * from config_fingerprints
    union all
    select * from rubric_fingerprints
),

final as (
    select
        run_id || ':' || project_id || ':' || input_kind || ':' || name || ':' || source
            as input_fingerprint_id,
        *
    from unioned
)

select * from final
where {{ new_runs() }}
