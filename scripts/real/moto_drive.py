"""Drive moto's server mode with boto3 on AWS services that speak REST-JSON.

    python moto_drive.py PROXY_URL SERVER_URL --seed N [--rounds R]

Run by moto.sh with moto's own environment. One endpoint serves every service (moto routes by the
signature's service name), as a team's local AWS stand-in does. A seeded random workload of a few
teams on Lambda (functions, versions, aliases, layers, permissions, concurrency), API Gateway (REST
APIs, resources, methods, integrations, deployments, stages, API keys, usage plans), EKS (clusters,
node groups, Fargate profiles), IoT (thing types, things with attributes, thing groups, policies,
certificates) and Batch (compute environments, job queues, job definitions): names people choose,
ARNs in paths and bodies, tag maps, listings walked page by page with their tokens, updates, deletes,
and the errors people hit (404s, a name already taken). The IAM roles and the VPC the services point
at are set up on the server directly (IAM and EC2 speak the query protocol: not this recording's).
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import workload  # beside this file
from botocore.config import Config
from botocore.exceptions import ClientError

TEAMS = ("payments", "search", "growth", "platform", "data", "mobile")
WORDS = ("orders", "invoices", "thumbnails", "ingest", "notify", "reports", "auth", "sync", "export", "webhooks")
ENVS = ("dev", "staging", "prod")
REGION = "eu-west-1"
ACCOUNT = "123456789012"


def tags(rng: random.Random) -> dict[str, str]:
    """A team's tag map: keys they choose (cost centres, owners, free-form ones)."""
    t = {"team": rng.choice(TEAMS), "env": rng.choice(ENVS)}
    for _ in range(rng.randint(0, 3)):
        t[rng.choice(["owner", "cost-center", "project", "ticket", "managed-by", "purpose"])] = rng.choice(
            ["alice", "cc-1042", "checkout", "OPS-331", "terraform", "nightly batch"]
        )
    return t


def autoscaler_tags(rng: random.Random, cluster: str, nodegroup: str) -> dict[str, str]:
    """The tags eksctl puts on a node group for the cluster autoscaler's auto-discovery: one key names
    the cluster, so the key set grows with the clusters a team runs."""
    if rng.random() < 0.5:
        return {}
    return {
        "k8s.io/cluster-autoscaler/enabled": "true",
        f"k8s.io/cluster-autoscaler/{cluster}": "owned",
        "alpha.eksctl.io/cluster-name": cluster,
        "alpha.eksctl.io/nodegroup-name": nodegroup,
    }


def zipped(rng: random.Random) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("handler.py", f"def handler(event, context):\n    return {{'n': {rng.randint(1, 99)}}}\n")
    return buf.getvalue()


class Drive:
    def __init__(self, url: str, direct: str, rng: random.Random) -> None:
        self.rng = rng
        kw: dict[str, Any] = {
            "endpoint_url": url,
            "region_name": REGION,
            "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key": "test",
            "config": Config(retries={"max_attempts": 1}),
        }
        self.lam = boto3.client("lambda", **kw)
        self.apigw = boto3.client("apigateway", **kw)
        self.eks = boto3.client("eks", **kw)
        self.iot = boto3.client("iot", **kw)
        self.batch = boto3.client("batch", **kw)
        self.role = self.setup(direct, kw)
        self.functions: list[str] = []
        self.apis: list[str] = []
        self.clusters: list[str] = []
        self.nodegroups: list[tuple[str, str]] = []
        self.things: list[str] = []
        self.groups: list[str] = []
        self.policies: list[str] = []
        self.queues: list[str] = []

    def setup(self, direct: str, kw: dict[str, Any]) -> str:
        """An IAM role every service may assume, and a VPC with subnets for EKS and Batch, made on the
        server directly."""
        iam = boto3.client("iam", **{**kw, "endpoint_url": direct})
        ec2 = boto3.client("ec2", **{**kw, "endpoint_url": direct})
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
        role = iam.create_role(RoleName="service-role", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(2)
        ]
        self.sg = ec2.create_security_group(GroupName="workers", Description="workers", VpcId=vpc)["GroupId"]
        return str(role)

    def name(self) -> str:
        return f"{self.rng.choice(TEAMS)}-{self.rng.choice(WORDS)}-{self.rng.choice(ENVS)}"

    def pages(
        self, call: Callable[..., dict[str, Any]], token_in: str, token_out: str, **kw: Any
    ) -> Iterator[dict[str, Any]]:
        """Walk a listing page by page with small pages, as a console or a script with a limit does."""
        token = None
        for _ in range(6):
            page = call(**kw, **({token_in: token} if token else {}))
            yield page
            token = page.get(token_out)
            if not token:
                return

    # Lambda
    def function(self) -> None:
        r = self.rng
        name = self.name()
        try:
            self.lam.create_function(
                FunctionName=name,
                Runtime=r.choice(["python3.12", "python3.11", "nodejs20.x"]),
                Role=self.role,
                Handler="handler.handler",
                Code={"ZipFile": zipped(r)},
                Description=f"{name} handler",
                Timeout=r.choice([3, 10, 30, 900]),
                MemorySize=r.choice([128, 256, 1024]),
                Environment={
                    "Variables": {
                        r.choice(["LOG_LEVEL", "TABLE", "QUEUE_URL", "STAGE"]): r.choice(["debug", "orders", "prod"])
                    }
                },
                Tags=tags(r),
                Publish=r.random() < 0.3,
            )
            self.functions.append(name)
        except ClientError as e:  # the name is taken: people try anyway
            print(e)

    def lambda_read(self) -> None:
        r = self.rng
        k = r.randrange(5)
        if k == 0 or not self.functions:
            for _ in self.pages(self.lam.list_functions, "Marker", "NextMarker", MaxItems=r.choice([3, 5, 50])):
                pass
            return
        fn = r.choice(self.functions)
        if k == 1:
            self.lam.get_function(FunctionName=fn)
        elif k == 2:
            self.lam.get_function_configuration(FunctionName=fn)
        elif k == 3:
            arn = self.lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
            self.lam.list_tags(Resource=arn)
        else:
            self.lam.list_versions_by_function(FunctionName=fn)
            self.lam.list_aliases(FunctionName=fn)

    def lambda_write(self) -> None:
        if not self.functions:
            return self.function()
        r = self.rng
        fn = r.choice(self.functions)
        k = r.randrange(7)
        if k == 0:
            self.lam.update_function_configuration(
                FunctionName=fn, MemorySize=r.choice([128, 512, 2048]), Description=f"v{r.randint(2, 9)}"
            )
        elif k == 1:
            v = self.lam.publish_version(FunctionName=fn, Description=f"release {r.randint(1, 40)}")["Version"]
            try:
                self.lam.create_alias(
                    FunctionName=fn, Name=r.choice(["live", "canary", "blue", "green"]), FunctionVersion=v
                )
            except ClientError as e:
                print(e)
        elif k == 2:
            arn = self.lam.get_function(FunctionName=fn)["Configuration"]["FunctionArn"]
            self.lam.tag_resource(Resource=arn, Tags=tags(r))
            if r.random() < 0.5:
                self.lam.untag_resource(Resource=arn, TagKeys=["env"])
        elif k == 3:
            self.lam.add_permission(
                FunctionName=fn,
                StatementId=f"{r.choice(['apigw', 's3', 'events'])}-{r.randint(1, 999)}",
                Action="lambda:InvokeFunction",
                Principal=r.choice(["apigateway.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com"]),
            )
            self.lam.get_policy(FunctionName=fn)
        elif k == 4:
            self.lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=r.randint(1, 50))
            self.lam.get_function_concurrency(FunctionName=fn)
        elif k == 5:
            layer = f"{r.choice(TEAMS)}-{r.choice(['deps', 'utils', 'otel'])}"
            self.lam.publish_layer_version(
                LayerName=layer, Content={"ZipFile": zipped(r)}, CompatibleRuntimes=["python3.12"]
            )
            self.lam.list_layers()
            self.lam.list_layer_versions(LayerName=layer)
        else:
            self.functions.remove(fn)
            self.lam.delete_function(FunctionName=fn)

    # API Gateway
    def api(self) -> None:
        r = self.rng
        api = self.apigw.create_rest_api(
            name=self.name(),
            description="public API",
            tags=tags(r),
            endpointConfiguration={"types": [r.choice(["REGIONAL", "EDGE"])]},
        )
        self.apis.append(api["id"])
        root = next(x["id"] for x in self.apigw.get_resources(restApiId=api["id"])["items"] if x["path"] == "/")
        for part in r.sample(["orders", "users", "items", "health", "webhooks"], r.randint(1, 3)):
            res = self.apigw.create_resource(restApiId=api["id"], parentId=root, pathPart=part)
            sub = self.apigw.create_resource(
                restApiId=api["id"], parentId=res["id"], pathPart=f"{{{part[:-1] or part}Id}}"
            )
            for rid, method in ((res["id"], "GET"), (res["id"], "POST"), (sub["id"], "GET")):
                self.apigw.put_method(
                    restApiId=api["id"],
                    resourceId=rid,
                    httpMethod=method,
                    authorizationType=r.choice(["NONE", "AWS_IAM"]),
                )
                self.apigw.put_integration(
                    restApiId=api["id"],
                    resourceId=rid,
                    httpMethod=method,
                    type="MOCK",
                    requestTemplates={"application/json": '{"statusCode": 200}'},
                )
                self.apigw.put_method_response(restApiId=api["id"], resourceId=rid, httpMethod=method, statusCode="200")

    def api_more(self) -> None:
        if not self.apis:
            return self.api()
        r = self.rng
        api = r.choice(self.apis)
        k = r.randrange(7)
        if k == 0:
            dep = self.apigw.create_deployment(restApiId=api, description=f"deploy {r.randint(1, 99)}")
            stage = r.choice(ENVS)
            try:
                self.apigw.create_stage(
                    restApiId=api,
                    stageName=stage,
                    deploymentId=dep["id"],
                    variables={"lambdaAlias": r.choice(["live", "canary"])},
                    tags=tags(r),
                )
            except ClientError as e:
                print(e)
            self.apigw.get_stages(restApiId=api)
        elif k == 1:
            for _ in self.pages(self.apigw.get_rest_apis, "position", "position", limit=r.choice([2, 5, 25])):
                pass
        elif k == 2:
            self.apigw.get_rest_api(restApiId=api)
            for res in self.apigw.get_resources(restApiId=api, embed=["methods"])["items"]:
                for m in res.get("resourceMethods", {}):
                    if r.random() < 0.3:
                        self.apigw.get_method(restApiId=api, resourceId=res["id"], httpMethod=m)
        elif k == 3:
            key = self.apigw.create_api_key(
                name=f"{r.choice(TEAMS)}-partner-{r.randint(1, 99)}", enabled=True, tags=tags(r)
            )
            plan = self.apigw.create_usage_plan(
                name=f"{r.choice(['free', 'pro', 'enterprise'])}-{r.randint(1, 9)}",
                throttle={"rateLimit": 10.0, "burstLimit": 20},
                quota={"limit": 1000, "period": "DAY"},
            )
            self.apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
            self.apigw.get_usage_plan_keys(usagePlanId=plan["id"])
            self.apigw.get_api_keys(includeValues=r.random() < 0.5)
        elif k == 4:
            # (moto serves no /tags for API Gateway: tags go in at creation, read back here)
            for dep in self.apigw.get_deployments(restApiId=api)["items"][:1]:
                self.apigw.get_deployment(restApiId=api, deploymentId=dep["id"])
            for st in self.apigw.get_stages(restApiId=api)["item"][:1]:
                self.apigw.get_stage(restApiId=api, stageName=st["stageName"])
        elif k == 5:
            self.apigw.get_rest_api(restApiId=f"{r.choice('abcdefghij')}{r.randint(100000000, 999999999)}")  # a 404
        else:
            self.apis.remove(api)
            self.apigw.delete_rest_api(restApiId=api)

    # EKS
    def cluster(self) -> None:
        r = self.rng
        name = f"{r.choice(TEAMS)}-{r.choice(ENVS)}-{r.randint(1, 9)}"
        try:
            self.eks.create_cluster(
                name=name,
                version=r.choice(["1.29", "1.30", "1.31"]),
                roleArn=self.role,
                resourcesVpcConfig={
                    "subnetIds": self.subnets,
                    "securityGroupIds": [self.sg],
                    "endpointPublicAccess": r.random() < 0.5,
                },
                logging={"clusterLogging": [{"types": ["api", "audit"], "enabled": r.random() < 0.5}]},
                tags=tags(r),
            )
            self.clusters.append(name)
        except ClientError as e:
            print(e)

    def eks_more(self) -> None:
        if not self.clusters:
            return self.cluster()
        r = self.rng
        c = r.choice(self.clusters)
        k = r.randrange(7)
        if k == 0:
            ng = f"{r.choice(['workers', 'gpu', 'spot', 'system'])}-{r.randint(1, 9)}"
            try:
                self.eks.create_nodegroup(
                    clusterName=c,
                    nodegroupName=ng,
                    nodeRole=self.role,
                    subnets=self.subnets,
                    scalingConfig={"minSize": 1, "maxSize": r.randint(2, 10), "desiredSize": 2},
                    instanceTypes=[r.choice(["m5.large", "t3.medium", "g5.xlarge"])],
                    labels={r.choice(["workload", "tier", "pool"]): r.choice(["batch", "web", "system"])},
                    tags=tags(r) | autoscaler_tags(r, c, ng),
                )
                self.nodegroups.append((c, ng))
            except ClientError as e:
                print(e)
        elif k == 1:
            for _ in self.pages(self.eks.list_clusters, "nextToken", "nextToken", maxResults=r.choice([2, 5, 100])):
                pass
        elif k == 2:
            self.eks.describe_cluster(name=c)
            for page in self.pages(
                self.eks.list_nodegroups, "nextToken", "nextToken", clusterName=c, maxResults=r.choice([1, 3, 50])
            ):
                for ng in page["nodegroups"][:1]:
                    self.eks.describe_nodegroup(clusterName=c, nodegroupName=ng)
        elif k == 3:
            arn = self.eks.describe_cluster(name=c)["cluster"]["arn"]
            self.eks.tag_resource(resourceArn=arn, tags=tags(r))
            self.eks.list_tags_for_resource(resourceArn=arn)
            if r.random() < 0.4:
                self.eks.untag_resource(resourceArn=arn, tagKeys=["owner", "ticket"])
        elif k == 4:
            try:
                self.eks.create_fargate_profile(
                    fargateProfileName=f"{r.choice(['default', 'jobs', 'web'])}-{r.randint(1, 9)}",
                    clusterName=c,
                    podExecutionRoleArn=self.role,
                    subnets=self.subnets,
                    selectors=[
                        {"namespace": r.choice(["default", "jobs", "kube-system"]), "labels": {"app": r.choice(WORDS)}}
                    ],
                    tags=tags(r),
                )
            except ClientError as e:
                print(e)
            self.eks.list_fargate_profiles(clusterName=c)
        elif k == 5 and self.nodegroups:
            cl, ng = r.choice(self.nodegroups)
            self.nodegroups.remove((cl, ng))
            self.eks.delete_nodegroup(clusterName=cl, nodegroupName=ng)
        elif k == 6 and len(self.clusters) > 2 and not any(cl == c for cl, _ in self.nodegroups):
            self.clusters.remove(c)
            self.eks.delete_cluster(name=c)
        else:
            self.eks.describe_cluster(name=f"{c}-old")  # a 404

    # IoT
    def thing(self) -> None:
        r = self.rng
        ttype = r.choice(["thermostat", "door-sensor", "camera", "gateway"])
        try:
            self.iot.describe_thing_type(thingTypeName=ttype)
        except ClientError:
            self.iot.create_thing_type(
                thingTypeName=ttype,
                thingTypeProperties={"thingTypeDescription": f"{ttype}s", "searchableAttributes": ["site", "floor"]},
                tags=[{"Key": "team", "Value": r.choice(TEAMS)}],
            )
        name = f"{ttype}-{r.choice(['berlin', 'lyon', 'austin', 'osaka'])}-{r.randint(1, 999):03d}"
        attrs = {"site": r.choice(["hq", "plant-2", "store-17"]), "floor": str(r.randint(0, 9))}
        if r.random() < 0.4:
            attrs[r.choice(["serial", "firmware", "installer"])] = r.choice(["SN-88412", "2.4.1", "bob"])
        try:
            self.iot.create_thing(thingName=name, thingTypeName=ttype, attributePayload={"attributes": attrs})
            self.things.append(name)
        except ClientError as e:
            print(e)

    def iot_more(self) -> None:
        if not self.things:
            return self.thing()
        r = self.rng
        t = r.choice(self.things)
        k = r.randrange(8)
        if k == 0:
            self.iot.describe_thing(thingName=t)
        elif k == 1:
            kw = r.choice([{}, {"attributeName": "site", "attributeValue": "hq"}, {"thingTypeName": "camera"}])
            for _ in self.pages(
                self.iot.list_things, "nextToken", "nextToken", maxResults=r.choice([3, 10, 100]), **kw
            ):
                pass
        elif k == 2:
            self.iot.update_thing(
                thingName=t,
                attributePayload={"attributes": {"firmware": f"2.{r.randint(0, 9)}.{r.randint(0, 9)}"}, "merge": True},
            )
        elif k == 3:
            g = f"{r.choice(['fleet', 'site', 'pilot'])}-{r.choice(['eu', 'us', 'apac'])}"
            if g not in self.groups:
                self.iot.create_thing_group(
                    thingGroupName=g,
                    thingGroupProperties={
                        "thingGroupDescription": f"{g} devices",
                        "attributePayload": {"attributes": {"region": g.split("-")[1]}},
                    },
                    tags=[{"Key": "env", "Value": r.choice(ENVS)}],
                )
                self.groups.append(g)
            self.iot.add_thing_to_thing_group(thingGroupName=g, thingName=t)
            self.iot.list_things_in_thing_group(thingGroupName=g)
            self.iot.describe_thing_group(thingGroupName=g)
        elif k == 4:
            p = f"{r.choice(TEAMS)}-{r.choice(['publish', 'subscribe', 'shadow'])}"
            doc = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [f"iot:{r.choice(['Publish', 'Subscribe', 'Connect'])}"],
                        "Resource": [f"arn:aws:iot:{REGION}:{ACCOUNT}:topic/{t}/*"],
                    }
                ],
            }
            if p not in self.policies:
                self.iot.create_policy(policyName=p, policyDocument=json.dumps(doc))
                self.policies.append(p)
            else:
                self.iot.get_policy(policyName=p)
            cert = self.iot.create_keys_and_certificate(setAsActive=True)
            self.iot.attach_policy(policyName=p, target=cert["certificateArn"])
            self.iot.attach_thing_principal(thingName=t, principal=cert["certificateArn"])
            self.iot.list_thing_principals(thingName=t)
        elif k == 5:
            self.iot.list_certificates(pageSize=r.choice([5, 25]))
            self.iot.list_policies()
        elif k == 6:
            self.iot.describe_thing(thingName=t)
            self.iot.list_thing_groups_for_thing(thingName=t)
            if r.random() < 0.3:
                self.iot.describe_thing(thingName=f"{t}-decommissioned")  # a 404
            else:
                self.iot.list_thing_types()
        else:
            self.things.remove(t)
            for p in self.iot.list_thing_principals(thingName=t)["principals"]:
                self.iot.detach_thing_principal(thingName=t, principal=p)
            self.iot.delete_thing(thingName=t)

    # Batch
    def batch_step(self) -> None:
        r = self.rng
        k = r.randrange(5)
        if k == 0 or not self.queues:
            env = f"{r.choice(TEAMS)}-{r.choice(['spot', 'ondemand'])}-{r.randint(1, 9)}"
            try:
                ce = self.batch.create_compute_environment(
                    computeEnvironmentName=env, type="UNMANAGED", state="ENABLED", serviceRole=self.role, tags=tags(r)
                )
                q = self.batch.create_job_queue(
                    jobQueueName=f"{env}-queue",
                    state="ENABLED",
                    priority=r.randint(1, 10),
                    computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce["computeEnvironmentArn"]}],
                    tags=tags(r),
                )
                self.queues.append(q["jobQueueName"])
            except ClientError as e:
                print(e)
        elif k == 1:
            self.batch.register_job_definition(
                jobDefinitionName=f"{r.choice(WORDS)}-job",
                type="container",
                containerProperties={
                    "image": f"{r.choice(['python:3.12', 'busybox', 'acme/etl:1.4'])}",
                    "vcpus": r.randint(1, 4),
                    "memory": r.choice([512, 2048]),
                    "command": ["run", r.choice(WORDS)],
                    "environment": [{"name": "STAGE", "value": r.choice(ENVS)}],
                },
                retryStrategy={"attempts": r.randint(1, 3)},
                tags=tags(r),
            )
        elif k == 2:
            self.batch.describe_job_definitions(
                **r.choice([{}, {"jobDefinitionName": f"{r.choice(WORDS)}-job"}, {"status": "ACTIVE", "maxResults": 5}])
            )
        elif k == 3:
            self.batch.describe_job_queues(**r.choice([{}, {"jobQueues": [r.choice(self.queues)]}]))
            self.batch.describe_compute_environments()
        else:
            arn = self.batch.describe_job_queues(jobQueues=[r.choice(self.queues)])["jobQueues"][0]["jobQueueArn"]
            self.batch.tag_resource(resourceArn=arn, tags=tags(r))
            self.batch.list_tags_for_resource(resourceArn=arn)


def main() -> None:
    args = workload.parse(__doc__, ("proxy_url", "server_url"), rounds=700)
    rng = random.Random(args.seed)
    d = Drive(args.proxy_url, args.server_url, rng)
    workload.run(
        rng,
        [
            (d.function, 1.0),
            (d.lambda_read, 2.0),
            (d.lambda_write, 2.0),
            (d.api, 0.4),
            (d.api_more, 2.0),
            (d.cluster, 0.5),
            (d.eks_more, 2.0),
            (d.thing, 1.0),
            (d.iot_more, 2.0),
            (d.batch_step, 1.2),
        ],
        args.rounds,
        args.max_seconds,
        tolerated=(ClientError,),
    )


if __name__ == "__main__":
    main()
