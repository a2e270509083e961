-- Each run of a project beside the project's run just before it that was assessed without
-- failing (ties on the start instant broken by run id).
with recommendations as (
    select * from {{ ref('recommendations') }}
),

pairs as (
    select
        later.run_id,
        later.project_id,
        earlier.run_id as previous_run_id,
        row_number() over (
            partition by later.run_id, later.project_id
            order by earlier.run_started_at desc, earlier.run_id desc
        ) as nearest
    from recommendations as later
    inner join recommendations as earlier
        on
            later.project_id = earlier.project_id
            and earlier.project_status = 'ok'
            and (
                later.run_started_at > earlier.run_started_at
                or (later.run_started_at = earlier.run_started_at and later.run_id > earlier.run_id)
            )
),

final as (
    select
        run_id,
        project_id,
        previous_run_id
    from pairs
    where nearest = 1
)

select * from final
