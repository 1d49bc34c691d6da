"""The one table of model constants: every number the model uses, with its unit and source.

A scenario may override any of them under ``parameters:`` (validated against this table); the
resolved table is written into each run's manifest. A source is a citation or ``assumption``.
Each row also carries the range a sensitivity analysis varies it over (``sa_low``, ``sa_high``)
and why that range: a published interval, or a stated assumption. ``low``/``high`` are only what
the schema accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType

__all__ = ["PARAMETERS", "SENSITIVITY_RANGES", "Parameter", "markdown_table",
           "resolve_parameters", "with_ranges"]


@dataclass(frozen=True)
class Parameter:
    name: str
    value: float
    unit: str
    low: float
    high: float
    source: str
    description: str
    sa_low: float | None = None
    sa_high: float | None = None
    sa_reason: str = ""


_TABLE = [
    # -- world: population synthesis --------------------------------------------------------
    Parameter(
        "interest_dirichlet_alpha", 0.3, "-", 0.01, 100.0,
        "assumption",
        "Concentration of each user's interest vector over topics (Dirichlet); below 1 most "
        "users care about a few topics.",
    ),
    Parameter(
        "activity_lognormal_sigma", 1.0, "-", 0.0, 3.0,
        "assumption (heavy-tailed use; mean activity is normalised to 1)",
        "Spread of users' activity levels (log-normal, drawn as a stratified sample per "
        "country: world/strata.py), which scales how often they open the app.",
    ),
    Parameter(
        "survey_no_opinion_share", 0.08, "share", 0.0, 0.5,
        "assumption (Pew Global Attitudes 'don't know' shares are typically 5-10%)",
        "Where a survey row gives only the favourable or only the unfavourable share, the other "
        "is 1 - given - this.",
    ),
    Parameter(
        "unsurveyed_favourable_share", 0.35, "share", 0.0, 1.0,
        "assumption (mean favourability 0 where no survey exists)",
        "Share of users favourable (and, equally, unfavourable) toward a focal country where no "
        "public survey gives the figure.",
    ),
    Parameter(
        "own_country_favourable_share", 0.7, "share", 0.0, 1.0,
        "assumption",
        "Share of users favourable toward their own country (none unfavourable, the rest "
        "without an opinion).",
    ),
    Parameter(
        "attitude_opinion_floor", 0.1, "favourability", 0.0, 1.0,
        "assumption",
        "Favourable users' attitudes are uniform in [floor, 1], unfavourable in [-1, -floor], "
        "users without an opinion in (-floor, floor).",
    ),
    Parameter(
        "stance_initial_sd", 0.4, "stance", 0.0, 2.0,
        "assumption (no cross-national survey of these issues on one scale)",
        "Standard deviation of initial stances on each issue (normal around 0, clipped to "
        "[-1, 1]).",
    ),
    Parameter(
        "stance_side_floor", 0.2, "stance", 0.0, 1.0,
        "assumption (polls give sides, not strengths; 'definitely' and 'rather' answers, as "
        "in Levada's, suggest a spread from mild to firm)",
        "Where a baseline gives the shares on each side of an issue, a side's users stand "
        "uniformly in [floor, 1] (or [-1, -floor]), the rest in (-floor, floor).",
    ),
    Parameter(
        "false_claim_believing_share", 0.1, "share", 0.001, 0.999,
        "assumption shaped by Roozenbeek et al. 2020, Royal Society Open Science 7:201199 "
        "(22-37% rated circulating COVID-19 falsehoods reliable in the UK, US, Ireland, Mexico "
        "and Spain, spring 2020) and YouGov (about a quarter of Americans took the US-biolabs "
        "claim as true a month after it spread, March 2022): a claim not yet spreading at the "
        "start is set below them",
        "Share of a country's users who believe a false claim at the start where no survey "
        "gives one (claims[].baselines): the share of the Beta distribution of beliefs above "
        "0.5.",
    ),
    Parameter(
        "true_claim_believing_share", 0.8, "share", 0.001, 0.999,
        "assumption shaped by Imperial College / YouGov, 17-18 March 2020 (2,108 Britons: 83% "
        "washing their hands more often)",
        "Share of a country's users who believe a true claim at the start where no survey "
        "gives one."
    ),
    Parameter(
        "claim_repeat_rate", 0.06, "per political post", 0.0, 1.0,
        "assumption sized by Grinberg, Joseph, Friedland, Swire-Thompson & Lazer 2019, Science "
        "363:374 (fake-news sources were nearly 6% of registered voters' political news on "
        "Twitter in 2016, and 0.1% of users shared 80% of it)",
        "An ordinary user's political post repeats a claim with this chance times the user's "
        "belief in it (0 for a user who does not believe it at all).",
    ),
    Parameter(
        "belief_initial_concentration", 10.0, "-", 0.1, 1000.0,
        "assumption (no survey measures belief in a simulated claim; a Beta of mean m and "
        "concentration k has variance m(1 - m)/(k + 1))",
        "Concentration of initial beliefs in a claim: Beta(mean x this, (1 - mean) x this), "
        "the mean set so that the believing share is above 0.5; higher values gather users "
        "closer to the mean.",
    ),
    # -- activity and content ----------------------------------------------------------------
    Parameter(
        "sessions_per_day", 4.0, "sessions/user/day", 0.1, 48.0,
        "assumption (TikTok users average about 58 min/day in the app, DataReportal 2024; "
        "a session is one page of short videos)",
        "Mean sessions a user opens per day (scaled by the user's activity level).",
    ),
    Parameter(
        "videos_per_session", 12.0, "videos", 1.0, 16.0,
        "assumption",
        "Videos on one feed page (one session); at most 16.",
    ),
    Parameter(
        "creator_posts_per_day", 0.02, "posts/user/day", 0.0, 10.0,
        "calibrated (issue 45) to the mean views per video of Steel, Schirmer, Ruths & Pfeffer "
        "(2026), 'Just Another Hour on TikTok' (about 2,250-2,500; 269 million posts a day): a "
        "user is served sessions_per_day x videos_per_session videos a day, so views per "
        "video are that over this rate. Fitted, not predicted: mean views per video is a "
        "calibration target, not a validation finding",
        "Mean posting rate of ordinary users.",
    ),
    Parameter(
        "creator_lognormal_sigma", 2.8, "-", 0.0, 5.0,
        "Pew Research Center (2024), How U.S. adults use TikTok: the most active 25% of users "
        "post 98% of the videos (a log-normal with sigma 2.8 gives 98%)",
        "Spread of ordinary users' posting rates (log-normal, heavy-tailed; drawn as a "
        "stratified sample per country, so each country's mean is the calibrated rate: "
        "world/strata.py).",
    ),
    Parameter(
        "creator_max_posts_per_day", 10.0, "posts/user/day", 0.1, 1000.0,
        "assumption: 10 a day is well above the 1 to 3 a day of creator guidance and the 0.22 "
        "a day of the 48,591 creator and business accounts Metricool analysed (2023: 1,907,846 "
        "videos in 180 days); without a cap the log-normal of Pew's 98% puts 13% of all videos "
        "with one user in 20,000, at 50 or more a day, so a world of 20,000 users holds that "
        "tail or misses it by chance and its results depend on its size (issue 45)",
        "Ceiling of an ordinary user's posting rate; the log-normal is rescaled so the mean "
        "stays creator_posts_per_day.",
    ),
    Parameter(
        "user_appeal_mean", 0.3, "appeal", 0.01, 0.99,
        "assumption",
        "Mean appeal of ordinary users' videos (Beta, concentration 6); appeal scales completion "
        "and engagement.",
    ),
    Parameter(
        "actor_appeal_entertainment", 0.5, "appeal", 0.0, 1.0, "assumption",
        "Appeal of an actor's entertainment video (a dance challenge, food, travel).",
    ),
    Parameter(
        "actor_appeal_other", 0.25, "appeal", 0.0, 1.0, "assumption",
        "Appeal of an actor's news, policy or education video (a visa rule).",
    ),
    Parameter(
        "initial_follows_per_user", 10.0, "accounts", 0.0, 100.0, "assumption",
        "Mean accounts a user follows at the start, chosen by popularity within the country.",
    ),
    Parameter(
        "friends_per_user", 8.0, "accounts", 0.0, 100.0,
        "assumption (TikTok's friends are mutual follows; no published mean for TikTok)",
        "Mean friends per ordinary user (symmetric ties a share can be sent along).",
    ),
    Parameter(
        "friends_same_country_share", 0.842, "share", 0.0, 1.0,
        "Ugander, Karrer, Backstrom & Marlow (2011), The Anatomy of the Facebook Social "
        "Graph: 84.2% of friendship edges join users in the same country",
        "Share of friendship ties within the user's own country (the rest to anyone).",
    ),
    Parameter(
        "share_sent_to_friend", 0.69, "share of shares", 0.0, 1.0,
        "RadiumOne (2014), The Light and Dark of Social Sharing: 69% of sharing globally by "
        "private channels (messages, e-mail), 31% by public posts (web content, not TikTok: "
        "assumption that TikTok's split is alike)",
        "Share of shares sent to one friend's inbox; the rest are reposts to the sharer's "
        "followers' feeds.",
    ),
    Parameter(
        "actor_follower_share", 0.002, "share of target users", 0.0, 1.0, "assumption",
        "Share of an actor's target-country users who follow an official actor account at the "
        "start (ten times that for heads of state and influencers; none for citizen "
        "and diaspora groups, which are ordinary accounts).",
    ),
    # -- attention after a shock (diplosim.opinion.attention) --------------------------------
    Parameter(
        "attention_switch_days", 10.5, "days", 0.5, 365.0,
        "Igarashi, Okada, Sayama & Sano 2022, Scientific Reports 12:21484 (Wikipedia page "
        "views after earthquakes, deaths, air crashes, mass murders and terror attacks: the "
        "decay switches from exponential to power law 'about 10 to 11 days after the peak' in "
        "all five categories)",
        "Days after a crisis's onset when its extra interest stops fading exponentially and "
        "fades as a power law.",
    ),
    Parameter(
        "attention_power_exponent", 1.0, "-", 0.05, 3.0,
        "assumption between Crane & Sornette's (2008, PNAS 105:15649) two classes of response "
        "to an outside shock on YouTube: activity relaxing as 1/t^(1-theta) (exogenous-critical) "
        "or 1/t^(1+theta) (exogenous-subcritical), theta about 0.4 (0.6 and 1.4)",
        "After the switch the extra interest falls as (age / switch) to minus this power.",
    ),
    Parameter(
        "attention_fast_half_life_days", 7.28, "days", 0.1, 365.0,
        "derived: the half-life at which the exponential phase falls as fast as the power law "
        "at the switch (ln 2 x attention_switch_days / attention_power_exponent = 0.693 x "
        "10.5 / 1.0), so the switch is where the slower law takes over (Igarashi et al. 2022's "
        "definition of the switching point); not fitted to any attention curve",
        "Half-life of a crisis's extra interest before the switch.",
    ),
    Parameter(
        "crisis_added_share", 0.5, "share", 0.0, 1.0,
        "assumption between attention that only displaces (news time is finite: Eisensee & "
        "Stromberg 2007, QJE, a disaster during big news needs 3 to 6 times the deaths for "
        "the same coverage) and attention that adds posts (Twitter, 'Global pulse' 2011: a 500% "
        "rise in tweets from Japan after the earthquake; Twitter Q1 2020: daily users +24% on "
        "a year, +9% on the quarter, as COVID-19 took the news)",
        "Share of a crisis's extra interest that adds posts (the rest moves posts from other "
        "topics to the crisis's).",
    ),
    # -- feed --------------------------------------------------------------------------------
    Parameter(
        "pool_first_audience", 300.0, "platform views", 1.0, 1e6,
        "assumption: the platform publishes no size (TikTok, 'How TikTok recommends videos "
        "#ForYou', 2020, describes no number); creator and industry descriptions of Douyin's "
        "and TikTok's 'traffic pools' give a first test audience of 200-500 viewers, then "
        "3,000-5,000, 10,000-20,000 and 100,000+ (creator lore, not verified)",
        "Views of a new video's first exposure-pool stage on the platform (each later stage is "
        "ten times the one before); the same at any world size.",
    ),
    Parameter(
        "pool_stages", 4.0, "stages", 1.0, 8.0, "assumption",
        "Number of exposure-pool stages; each is ten times the one before.",
    ),
    Parameter(
        "pool_promotion_engagement", 0.045, "engagements per view", 0.0, 1.0,
        "Rival IQ 2024 (median TikTok engagement per view 3.4%) and Socialinsider 2023 (5.38%): "
        "a video is promoted when it beats roughly the median",
        "Engagements (likes, comments, shares) per impression a video needs to reach its next "
        "exposure-pool stage.",
    ),
    Parameter(
        "pool_max_age_hours", 168.0, "hours", 1.0, 720.0,
        "assumption: a week, the window of the trending and interest sources (Trendpop 2023, "
        "VidCon study: a typical video has 55% of its lifetime views in its first week)",
        "A video leaves the exposure pool this long after it is posted.",
    ),
    Parameter(
        "pool_age_scale_hours", 5.7, "hours", 0.1, 720.0,
        "Trendpop (2023, VidCon study of TikTok videos): 32% of lifetime views in the first 24 "
        "hours and 55% in the first week; a Lomax curve through both points has this scale "
        "(it gives 41% at 48 hours, Trendpop's figure is 38%)",
        "Scale of the fall of a pool video's pull with age: (1 + age / scale) ** -exponent.",
    ),
    Parameter(
        "pool_age_exponent", 1.234, "-", 0.0, 5.0,
        "Trendpop (2023): the same fit (Lomax shape 0.234; the view rate falls with exponent "
        "1 + 0.234); assumption that the pool's pull falls as the views do",
        "Exponent of the fall of a pool video's pull with age.",
    ),
    Parameter(
        "burn_in_days", 7.0, "days", 0.0, 60.0,
        "assumption: a week, the longest a video stays a candidate (pool_max_age_hours and the "
        "trending and interest window), so every source holds a full week of videos at hour 0",
        "Days of ordinary use played before the run starts and not reported: the platform has a "
        "past (0: it starts empty).",
    ),
    Parameter(
        "trending_half_life_hours", 12.0, "hours", 0.5, 240.0, "assumption",
        "Half-life of the engagement velocity that ranks trending videos.",
    ),
    Parameter(
        "cross_language_acceptance", 0.15, "probability", 0.0, 1.0, "assumption",
        "Chance the interest-matched feed shows a video in a language the viewer does not "
        "speak.",
    ),
    Parameter(
        "state_media_demotion", 0.41, "share of reach removed", 0.0, 1.0,
        "NewsGuard (2023): engagement with 12 state-media accounts rose 70% in 90 days after "
        "their labels were removed, so labelled reach is 1/1.7 = 0.59 of unlabelled",
        "Reach a labelled state-media video loses in the feed.",
    ),
    Parameter(
        "fact_check_demotion", 0.5, "share of reach removed", 0.0, 1.0, "assumption",
        "Reach a fact-checked false claim loses in the feed once labelled.",
    ),
    Parameter(
        "follow_window_hours", 48.0, "hours", 1.0, 720.0,
        "assumption (TikTok's Following feed shows followed accounts' recent posts; how long "
        "an item stays there is not published)",
        "A followed account's post or share stays in its followers' feeds, and a video sent "
        "to a friend stays in the friend's inbox, this many hours (a whole number).",
    ),
    Parameter(
        "source_mix_engagement_pool", 0.30, "weight", 0.0, 1.0,
        "assumption (TikTok shows new videos to small test audiences first: TikTok, 'How "
        "TikTok recommends videos #ForYou', 18 June 2020)",
        "The engagement (For You) feed's weight on the staged exposure pool of new videos; "
        "a mode's weights are divided by their sum to give the share of slots each source "
        "fills.",
    ),
    Parameter(
        "source_mix_engagement_trending", 0.20, "weight", 0.0, 1.0, "assumption",
        "The engagement feed's weight on trending videos (by engagement velocity).",
    ),
    Parameter(
        "source_mix_engagement_interest", 0.38, "weight", 0.0, 1.0,
        "assumption (Vombatkere et al. 2024, WWW '24: TikTok's feed exploits a user's known "
        "interests in 30-50% of the videos it recommends; here the interest and followed "
        "sources together take 50%)",
        "The engagement feed's weight on interest-matched videos (the best rated recent "
        "videos of a topic drawn by the viewer's interests).",
    ),
    Parameter(
        "source_mix_engagement_followed", 0.12, "weight", 0.0, 1.0,
        "assumption (follows weigh least in the For You feed, though Boeker & Urman 2022 find "
        "following the strongest personalisation signal, which follow-driven interest also "
        "carries)",
        "The engagement feed's weight on followed accounts' recent posts and shares.",
    ),
    Parameter(
        "source_mix_social_trending", 0.25, "weight", 0.0, 1.0, "assumption",
        "The social feed's weight on trending videos (a social feed follows the graph first "
        "and fills with trending; it has no exposure pool or interest source).",
    ),
    Parameter(
        "source_mix_social_followed", 0.75, "weight", 0.0, 1.0, "assumption",
        "The social feed's weight on followed accounts' recent posts and shares (a "
        "chronological feed shows those alone).",
    ),
    # -- behaviour ---------------------------------------------------------------------------
    Parameter(
        "completion_base", 0.45, "probability", 0.0, 1.0,
        "assumption, calibrated with the like, comment and share rates so that engagement per "
        "view falls in 3.4-5.38% (Rival IQ 2024; Socialinsider 2023)",
        "Completion probability of a video of average appeal and full interest match.",
    ),
    Parameter(
        "completion_match_floor", 0.4, "factor", 0.0, 2.0,
        "assumption (TikTok, 'How TikTok recommends videos #ForYou', 2020: finishing a video "
        "is a strong indicator of interest)",
        "Completion is multiplied by floor + completion_match_slope x interest match (match "
        "is the video topic's weight over the viewer's favourite's, 0 to 1).",
    ),
    Parameter(
        "completion_match_slope", 1.2, "factor", 0.0, 5.0, "assumption (as "
        "completion_match_floor)",
        "Growth of the completion factor from no interest match to full match.",
    ),
    Parameter(
        "completion_appeal_floor", 0.5, "factor", 0.0, 2.0, "assumption",
        "Completion is multiplied by this + the video's appeal (1 at appeal 0.5).",
    ),
    Parameter(
        "completion_congruence_floor", 0.6, "factor", 0.0, 2.0,
        "assumption (selective exposure: people spend longer on attitude-consistent content, "
        "Knobloch-Westerwick & Meng 2009; Stroud 2008)",
        "Completion is multiplied by floor + completion_congruence_slope x congruence "
        "(1 when the viewer's stance equals the video's, 0 at opposite extremes, 0.75 for a "
        "video with no stance).",
    ),
    Parameter(
        "completion_congruence_slope", 0.8, "factor", 0.0, 2.0,
        "assumption (as completion_congruence_floor)",
        "Growth of the completion factor from opposite stances to equal ones.",
    ),
    Parameter(
        "completion_normaliser", 1.1, "factor", 0.01, 10.0, "assumption",
        "The completion probability is divided by this (with completion_base it sets the "
        "level the engagement calibration starts from).",
    ),
    Parameter(
        "completion_cap", 0.95, "probability", 0.0, 1.0,
        "assumption (no video is watched to the end by every viewer)",
        "The most a completion probability can be.",
    ),
    Parameter(
        "engagement_appeal_floor", 0.5, "factor", 0.0, 2.0, "assumption",
        "Like, comment, share and follow probabilities after a completion are multiplied by "
        "this + the video's appeal (1 at appeal 0.5).",
    ),
    Parameter(
        "engagement_congruence_floor", 0.5, "factor", 0.0, 2.0,
        "assumption (selective exposure, as completion_congruence_floor)",
        "Like, comment, share and follow probabilities after a completion are multiplied by "
        "this + the stance congruence (1 at congruence 0.5).",
    ),
    Parameter(
        "like_given_completion", 0.08, "probability", 0.0, 1.0,
        "calibrated to Rival IQ 2024 (median engagement per view 3.4%) and Socialinsider 2023 "
        "(5.38%)", "Like probability after a completed view, at average appeal.",
    ),
    Parameter(
        "comment_given_completion", 0.008, "probability", 0.0, 1.0,
        "calibrated with like_given_completion", "Comment probability after a completed view.",
    ),
    Parameter(
        "share_given_completion", 0.006, "probability", 0.0, 1.0,
        "calibrated with like_given_completion", "Share probability after a completed view.",
    ),
    Parameter(
        "follow_given_completion", 0.004, "probability", 0.0, 1.0,
        "assumption (following is the strongest personalisation signal, Boeker & Urman 2022)",
        "Follow probability after a completed view, at full interest match.",
    ),
    Parameter(
        "language_mismatch_factor", 0.3, "factor", 0.0, 1.0, "assumption",
        "Completion is multiplied by this when the viewer does not speak the video's language.",
    ),
    Parameter(
        "challenge_post_probability", 0.0017, "probability", 0.0, 1.0,
        "Chipotle's #GuacDance challenge (TikTok, 2019): about 250,000 videos from 430 million "
        "video starts, 0.058% per start; divided by the model's mean completion of about 0.35",
        "Chance a viewer who completes a hashtag-challenge video posts their own (viewers' "
        "videos are challenge videos too, so a challenge spreads as a branching process).",
    ),
    Parameter(
        "hashtag_trend_pooling", 0.1, "factor", 0.0, 10.0,
        "assumption (TikTok, 'How TikTok recommends videos #ForYou', 18 June 2020, names "
        "hashtags among the video information the feed uses; the weight is not published)",
        "A video's weight in the trending source gains this times its hashtag's pooled "
        "velocity: the mean engagement velocity of the tag's videos of the last week times "
        "ln(1 + their number). Videos that share a hashtag lift one another; 0 turns "
        "hashtags off.",
    ),
    Parameter(
        "false_claim_novelty", 1.7, "factor", 0.0, 10.0,
        "Vosoughi, Roy & Aral (2018), Science 359:1146: false news was 70% more likely to be "
        "retweeted than true news, which they attribute to its greater novelty",
        "Like, comment and share probabilities of a video carrying a false claim are "
        "multiplied by this (the 70% is measured on retweets; applying it to all engagement, "
        "which the feed promotes on, is an assumption); a fact-check label then reduces them.",
    ),
    Parameter(
        "fact_check_share_reduction", 0.24, "share", 0.0, 1.0,
        "TikTok 2021 (its unverified-content banner, tested with Irrational Labs: shares fell "
        "24%)",
        "Shares of a labelled false claim fall by this share.",
    ),
    Parameter(
        "fact_check_like_reduction", 0.07, "share", 0.0, 1.0,
        "TikTok 2021 (the same test: likes fell 7%)",
        "Likes of a labelled false claim fall by this share.",
    ),
    # -- persuasion --------------------------------------------------------------------------
    Parameter(
        "favourability_rate", 0.03, "per completed view", 0.0, 1.0,
        "assumption: the size of stance_rate (Coppock, Hill & Vavreck 2020 measured one ad's "
        "effect on favourability toward its candidate)",
        "Push of one completed view on the latent favourability scale toward the messenger's "
        "country (and each country the content portrays, by its valence), before credibility, "
        "trust and diminishing returns: the change of a viewer without a view.",
    ),
    Parameter(
        "everyday_favourability_factor", 0.2, "factor", 0.0, 1.0, "assumption",
        "An ordinary user's everyday video moves favourability toward the user's country by "
        "this share of an actor's step (incidental, not diplomacy), and only up to "
        "contact_ceiling.",
    ),
    Parameter(
        "contact_ceiling", 0.3, "favourability", -1.0, 1.0,
        "assumption (intergroup contact lowers prejudice modestly: Pettigrew & Tropp 2006, 515 "
        "studies, mean r = -0.21; parasocial contact through media works alike: Schiappa, "
        "Gregg & Hewes 2005; randomised studies find weaker effects: Paluck, Green & Green "
        "2019)",
        "Everyday videos of a foreign country's ordinary users warm a viewer toward that "
        "country up to this favourability and no further (contact thaws hostility, it does "
        "not make admirers).",
    ),
    Parameter(
        "source_trust_slope", 0.5, "factor", 0.0, 1.0,
        "assumption (a source's credibility to its audience governs its persuasive effect: "
        "Hovland & Weiss 1951; review in Pornpitakpan 2004)",
        "A foreign messenger persuades a favourable viewer 1 + slope x (the viewer's "
        "favourability toward the messenger's country) times as much as a viewer without a "
        "view (x1.5 for the most favourable at the default).",
    ),
    Parameter(
        "favourability_saturation", 10.0, "views", 0.1, 1e6, "assumption",
        "Diminishing returns: the step is divided by 1 + (views from that country so far) / "
        "this.",
    ),
    Parameter(
        "counter_attitudinal_factor", 0.5, "factor", 0.0, 1.0,
        "assumption shaped by Coppock, Hill & Vavreck 2020 (59 experiments: effects of the "
        "same sign and similar size among the sponsor's partisans, its opponents and "
        "independents) and Guess & Coppock 2020 (no backlash to counter-attitudinal "
        "information); Wood & Porter 2019 found backfire rare (52 issues)",
        "A viewer at the far end opposed to a video (its stance on the other side, or the "
        "messenger's country viewed at -1) takes this share of the step a viewer in the middle "
        "takes, in the same direction; linear in between (weakened, never reversed).",
    ),
    Parameter(
        "stance_rate", 0.03, "per completed view", 0.0, 1.0,
        "sized by Coppock, Hill & Vavreck 2020, Science Advances (49 ads, 59 experiments, "
        "about 34,000 respondents: one ad moved its candidate's favourability by 0.049 [0.010, "
        "0.088] points on a 1-5 scale, 1.2% of the scale's range); the validation row "
        "'per-exposure effect' measures the rule against it",
        "Push of one completed view on the latent stance scale (stance = tanh of it), times "
        "the video's stance and the messenger's credibility: the change in stance of a viewer "
        "in the middle; smaller toward the ends.",
    ),
    Parameter(
        "persuasion_half_life_days", 3.0, "days", 0.1, 1e6,
        "fitted with persuasion_lasting_share to Coppock 2022, Persuasion in Parallel, ch. 6 "
        "(12 panel experiments: about a third, 34%, of an effect left after ten days); the "
        "validation rows check it against Hill, Lo, Vavreck & Zaller's 50-75% gone within the "
        "first week (2008 working paper of their 2013 Political Communication article)",
        "The part of an opinion change (favourability, stance, belief) that does not last "
        "halves every this many days (applied at each day's end).",
    ),
    Parameter(
        "persuasion_lasting_share", 0.3, "share", 0.0, 1.0,
        "fitted with persuasion_half_life_days (see there); Hill et al. 2013: 'some effect ... "
        "endures for at least 6 weeks'; Coppock, Ekins & Kirby 2018: op-ed effects about half "
        "their size at 10 days and little smaller at 30",
        "Share of a one-off opinion change still there once the passing part has faded.",
    ),
    Parameter(
        "belief_rate", 0.17, "log-odds per completed view", 0.0, 10.0,
        "Coppock, Gross, Porter, Thorson & Wood 2023, BJPS (24 experiments, about 17,600 "
        "respondents: one piece of misinformation raised belief by 4.3 points on a 100-point "
        "scale, 0.17 on the log-odds scale at its middle)",
        "Each completed view of a video carrying a claim adds this times the messenger's "
        "credibility to the viewer's log-odds of believing it.",
    ),
    Parameter(
        "correction_log_odds", 0.42, "log-odds per completed view", 0.0, 10.0,
        "Coppock, Gross, Porter, Thorson & Wood 2023, BJPS (a fact-check lowered belief by "
        "10.5 points on a 100-point scale, 0.42 on the log-odds scale at its middle); Clayton "
        "et al. 2020's 'Rated false' tag (29% to 16% rating a false headline accurate, as "
        "summarised secondarily) is 0.76",
        "A completed view of a claim carrying a fact-check label also takes this from the "
        "viewer's log-odds of believing it (graded: each labelled view lowers belief a step).",
    ),
    Parameter(
        "credibility_influencer", 1.0, "factor", 0.0, 2.0, "assumption",
        "Credibility of influencers and sponsored posts (a peer voice).",
    ),
    Parameter(
        "credibility_citizen", 0.9, "factor", 0.0, 2.0, "assumption",
        "Credibility of citizens, diaspora and ordinary users (and of networks posing as them).",
    ),
    Parameter(
        "credibility_organisation", 0.7, "factor", 0.0, 2.0, "assumption",
        "Credibility of NGOs and international organisations.",
    ),
    Parameter(
        "credibility_government", 0.6, "factor", 0.0, 2.0, "assumption",
        "Credibility of heads of state, foreign ministries, embassies and armed forces' "
        "official accounts.",
    ),
    Parameter(
        "credibility_state_media", 0.5, "factor", 0.0, 2.0, "assumption",
        "Credibility of state-affiliated media.",
    ),
    Parameter(
        "label_credibility_factor", 0.5, "factor", 0.0, 1.0,
        "assumption (state-media labels lower credibility when noticed: Nassetta & Gross 2020, "
        "HKS Misinformation Review)",
        "Credibility of a labelled (state-affiliated or government) account is multiplied by this.",
    ),
]

_HALF_TWICE = "assumption: half to twice the default (no published interval)"
_HALF_MORE = "assumption: half to one and a half times the default (no published interval)"
_CALIBRATED = ("the calibration band: engagement per view between 3.4% (Rival IQ 2024) and "
               "5.38% (Socialinsider 2023) scales the engagement probabilities by about "
               "0.77 to 1.22 around their calibrated values")

#: The range each parameter is varied over in a sensitivity analysis, and why.
SENSITIVITY_RANGES: dict[str, tuple[float, float, str]] = {
    "interest_dirichlet_alpha": (0.1, 1.0, "assumption: from users with one or two topics "
                                 "(0.1) to a flat Dirichlet (1)"),
    "activity_lognormal_sigma": (0.5, 1.5, _HALF_MORE),
    "survey_no_opinion_share": (0.05, 0.10, "Pew Global Attitudes 'don't know' shares, "
                                "typically 5-10%"),
    "unsurveyed_favourable_share": (0.25, 0.45, "assumption: 10 points either side"),
    "own_country_favourable_share": (0.5, 0.9, "assumption: 20 points either side"),
    "attitude_opinion_floor": (0.05, 0.2, _HALF_TWICE),
    "stance_initial_sd": (0.2, 0.6, "assumption: 0.2 either side"),
    "stance_side_floor": (0.1, 0.4, _HALF_TWICE),
    "false_claim_believing_share": (0.05, 0.2, _HALF_TWICE),
    "true_claim_believing_share": (0.6, 0.9, "assumption: from 60% to 90%"),
    "belief_initial_concentration": (5.0, 20.0, _HALF_TWICE),
    "claim_repeat_rate": (0.03, 0.12, _HALF_TWICE),
    "sessions_per_day": (2.0, 8.0, _HALF_TWICE),
    "videos_per_session": (8.0, 16.0, "assumption: 8 to the most a page holds (16)"),
    "creator_posts_per_day": (0.01, 0.04, _HALF_TWICE),
    "creator_max_posts_per_day": (5.0, 20.0, _HALF_TWICE),
    "creator_lognormal_sigma": (2.3, 3.0, "Pew (2024) gives the top 25% of users 98% of the "
                                "videos; 2.3 to 3.0 gives them 95% to 99%"),
    "user_appeal_mean": (0.15, 0.6, _HALF_TWICE),
    "actor_appeal_entertainment": (0.25, 0.75, _HALF_MORE),
    "actor_appeal_other": (0.125, 0.5, _HALF_TWICE),
    "initial_follows_per_user": (5.0, 20.0, _HALF_TWICE),
    "friends_per_user": (4.0, 16.0, _HALF_TWICE),
    "friends_same_country_share": (0.75, 0.93, "assumption: about 9 points either side of "
                                   "Ugander et al.'s 84.2%"),
    "share_sent_to_friend": (0.59, 0.77, "RadiumOne: 59% in the US (2014) to 77% of mobile "
                             "sharing (2016)"),
    "actor_follower_share": (0.001, 0.004, _HALF_TWICE),
    "pool_first_audience": (200.0, 500.0, "the creator descriptions' range of the first test "
                            "audience (200-500 viewers)"),
    "pool_age_scale_hours": (2.85, 11.4, _HALF_TWICE),
    "pool_age_exponent": (1.0, 1.5, "assumption: from a fall like 1 / age to a faster one"),
    "pool_stages": (3.0, 5.0, "assumption: one stage fewer or more"),
    "pool_promotion_engagement": (0.034, 0.0538, "the published medians: Rival IQ 2024 (3.4%) "
                                  "to Socialinsider 2023 (5.38%)"),
    "pool_max_age_hours": (84.0, 336.0, _HALF_TWICE),
    "burn_in_days": (3.5, 14.0, _HALF_TWICE),
    "trending_half_life_hours": (6.0, 24.0, _HALF_TWICE),
    "attention_switch_days": (10.0, 11.0, "Igarashi et al. 2022: 10 to 11 days in all five "
                              "event categories"),
    "attention_power_exponent": (0.6, 1.4, "Crane & Sornette 2008: 1 - theta to 1 + theta, "
                                 "theta about 0.4"),
    "attention_fast_half_life_days": (3.64, 14.56, _HALF_TWICE),
    "crisis_added_share": (0.0, 1.0, "assumption: the two ends, attention that only displaces "
                           "or attention that all adds posts"),
    "cross_language_acceptance": (0.075, 0.3, _HALF_TWICE),
    "state_media_demotion": (0.2, 0.6, "assumption around NewsGuard's (2023) point estimate "
                             "from 12 accounts, which comes with no interval"),
    "fact_check_demotion": (0.25, 0.75, _HALF_MORE),
    "follow_window_hours": (24.0, 96.0, _HALF_TWICE),
    "source_mix_engagement_pool": (0.15, 0.45, _HALF_MORE),
    "source_mix_engagement_trending": (0.1, 0.3, _HALF_MORE),
    "source_mix_engagement_interest": (0.3, 0.5, "assumption: the 30-50% of recommendations "
                                       "Vombatkere et al. (2024) found exploiting known "
                                       "interests"),
    "source_mix_engagement_followed": (0.06, 0.18, _HALF_MORE),
    "source_mix_social_trending": (0.125, 0.375, _HALF_MORE),
    "source_mix_social_followed": (0.5, 1.0, "assumption: from two thirds of the default to "
                                   "four thirds"),
    "completion_base": (0.35, 0.55, "assumption: 0.1 either side of the calibrated value"),
    "completion_match_floor": (0.2, 0.6, "assumption: 0.2 either side"),
    "completion_match_slope": (0.6, 1.8, _HALF_MORE),
    "completion_appeal_floor": (0.25, 0.75, _HALF_MORE),
    "completion_congruence_floor": (0.4, 0.8, "assumption: 0.2 either side"),
    "completion_congruence_slope": (0.4, 1.2, _HALF_MORE),
    "completion_normaliser": (0.9, 1.3, "assumption: 0.2 either side (it scales completion "
                              "as completion_base does)"),
    "completion_cap": (0.9, 1.0, "assumption: from 0.9 to no cap (1)"),
    "engagement_appeal_floor": (0.25, 0.75, _HALF_MORE),
    "engagement_congruence_floor": (0.25, 0.75, _HALF_MORE),
    "like_given_completion": (0.062, 0.098, _CALIBRATED),
    "comment_given_completion": (0.0062, 0.0098, _CALIBRATED),
    "share_given_completion": (0.0046, 0.0073, _CALIBRATED),
    "follow_given_completion": (0.002, 0.008, _HALF_TWICE),
    "language_mismatch_factor": (0.15, 0.6, _HALF_TWICE),
    "challenge_post_probability": (0.00085, 0.0034, "assumption: half to twice the one "
                                   "published challenge (#GuacDance)"),
    "hashtag_trend_pooling": (0.0, 0.2, "assumption: from off (0) to twice the default; the "
                              "weight is not published"),
    "false_claim_novelty": (1.35, 2.05, "assumption: half to one and a half times the 70% "
                            "excess Vosoughi, Roy & Aral (2018) measured on retweets"),
    "fact_check_share_reduction": (0.24, 0.62, "from TikTok's 24% (2021) to the fact-check "
                                   "notes on X: Slaughter et al. (2025, reposts -46%) and Chuai "
                                   "et al. (2024, -62%)"),
    "fact_check_like_reduction": (0.07, 0.44, "from TikTok's 7% (2021) to the 44% Slaughter "
                                  "et al. (2025) measured after notes on X"),
    "favourability_rate": (0.01, 0.04, _HALF_TWICE),
    "everyday_favourability_factor": (0.1, 0.4, _HALF_TWICE),
    "contact_ceiling": (0.0, 0.6, "assumption: 0.3 either side (from 'no warmer than "
                        "neutral' to 'mildly favourable')"),
    "source_trust_slope": (0.25, 0.75, "assumption: half to one and a half times the default"),
    "favourability_saturation": (5.0, 20.0, _HALF_TWICE),
    "counter_attitudinal_factor": (0.25, 1.0, "assumption: from half the default to effects "
                                   "as large as among sympathisers (Coppock 2023)"),
    "stance_rate": (0.015, 0.06, _HALF_TWICE),
    "persuasion_half_life_days": (1.5, 6.0, _HALF_TWICE),
    "persuasion_lasting_share": (0.1, 0.4, _HALF_TWICE),
    "belief_rate": (0.085, 0.34, _HALF_TWICE),
    "correction_log_odds": (0.21, 0.84, "half to twice the default; Walter & Murphy 2018's "
                            "correction effect in politics (r = .15, 0.55 in log-odds) and "
                            "Clayton et al. 2020's 0.76 inside"),
    "credibility_influencer": (0.5, 1.5, _HALF_MORE),
    "credibility_citizen": (0.45, 1.35, _HALF_MORE),
    "credibility_organisation": (0.35, 1.05, _HALF_MORE),
    "credibility_government": (0.3, 0.9, _HALF_MORE),
    "credibility_state_media": (0.25, 0.75, _HALF_MORE),
    "label_credibility_factor": (0.25, 1.0, "assumption: from half the default to labels that "
                                 "nobody notices (1)"),
}


def with_ranges(table: list[Parameter], ranges: dict[str, tuple[float, float, str]]
                ) -> list[Parameter]:
    """The rows with their sensitivity ranges; a row without one, or a range that is not
    inside the accepted bounds around the default, is an error."""
    out = []
    for p in table:
        if p.name not in ranges:
            raise ValueError(f"parameter {p.name}: no sensitivity range (SENSITIVITY_RANGES)")
        lo, hi, why = ranges[p.name]
        if not (p.low <= lo <= p.value <= hi <= p.high) or lo == hi or not why.strip():
            raise ValueError(f"parameter {p.name}: sensitivity range [{lo:g}, {hi:g}] must hold "
                             f"the default {p.value:g} within [{p.low:g}, {p.high:g}], with a "
                             "reason")
        out.append(replace(p, sa_low=lo, sa_high=hi, sa_reason=why))
    unknown = set(ranges) - {p.name for p in table}
    if unknown:
        raise ValueError(f"sensitivity ranges for unknown parameters: {sorted(unknown)}")
    return out


_TABLE = with_ranges(_TABLE, SENSITIVITY_RANGES)
PARAMETERS: MappingProxyType[str, Parameter] = MappingProxyType({p.name: p for p in _TABLE})


def markdown_table(anchors: bool = False) -> str:
    """The table as Markdown (``python -m diplosim.parameters``); with ``anchors`` each row
    carries an HTML anchor named after its parameter, so the docs can link to it."""
    lines = ["| name | default | unit | source | meaning | sensitivity range |",
             "| --- | --- | --- | --- | --- | --- |"]
    for p in _TABLE:
        anchor = f'<span id="{p.name}"></span>' if anchors else ""
        lines.append(f"| {anchor}`{p.name}` | {p.value:g} | {p.unit} | {p.source} | "
                     f"{p.description} | {p.sa_low:g} to {p.sa_high:g}: {p.sa_reason} |")
    return "\n".join(lines)


def resolve_parameters(overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Default values with a scenario's overrides applied (already validated by the schema)."""
    values = {name: p.value for name, p in PARAMETERS.items()}
    values.update(overrides or {})
    return values
