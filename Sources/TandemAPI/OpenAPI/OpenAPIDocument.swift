/// The OpenAPI 3.1 description of every route of the operator HTTP API, served at
/// `GET /openapi.json`. Tests check it against the router (every route documented, nothing
/// documented that isn't routed) and its examples against live responses: edit it with the routes.
enum OpenAPIDocument {
    static let json = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Tandem operator API",
            "version": "1.0.0",
            "description": "Tokens, connectors, HA groups, controllers, health, metrics and the dashboard of Tandem. Errors are JSON objects naming what happened and, for 400, the field. A method a path does not take is answered 405 with an `Allow` header; HEAD works wherever GET does."
          },
          "servers": [
            {
              "url": "http://127.0.0.1:8080"
            }
          ],
          "tags": [
            {
              "name": "tokens"
            },
            {
              "name": "analysts"
            },
            {
              "name": "connectors"
            },
            {
              "name": "controllers"
            },
            {
              "name": "ha-groups"
            },
            {
              "name": "health"
            },
            {
              "name": "dashboard"
            }
          ],
          "paths": {
            "/": {
              "get": {
                "operationId": "dashboard",
                "tags": [
                  "dashboard"
                ],
                "summary": "The fleet view (summary, groups worst first, filters, pages of 50), or the sign-in form without a session",
                "responses": {
                  "200": {
                    "description": "HTML page",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  }
                },
                "parameters": [
                  {
                    "name": "health",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this health",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "healthy",
                        "degraded",
                        "down"
                      ]
                    }
                  },
                  {
                    "name": "network",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this network kind",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "wireless",
                        "wired"
                      ]
                    }
                  },
                  {
                    "name": "search",
                    "in": "query",
                    "required": false,
                    "description": "case-insensitive text in the group's name or a member's hostname or IP address",
                    "schema": {
                      "type": "string",
                      "maxLength": 128
                    }
                  },
                  {
                    "name": "page",
                    "in": "query",
                    "required": false,
                    "description": "page of 50 groups, from 1",
                    "schema": {
                      "type": "integer",
                      "minimum": 1
                    }
                  }
                ]
              }
            },
            "/login": {
              "post": {
                "operationId": "login",
                "tags": [
                  "dashboard"
                ],
                "summary": "Signs in with the tenant's API key (form body)",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/x-www-form-urlencoded": {
                      "schema": {
                        "type": "object",
                        "required": [
                          "apiKey"
                        ],
                        "properties": {
                          "apiKey": {
                            "type": "string"
                          }
                        }
                      }
                    }
                  }
                },
                "responses": {
                  "303": {
                    "description": "signed in: session cookie set (HttpOnly, SameSite=Strict), redirect to /"
                  },
                  "401": {
                    "description": "the form again, with the error",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  }
                }
              }
            },
            "/logout": {
              "post": {
                "operationId": "logout",
                "tags": [
                  "dashboard"
                ],
                "summary": "Ends the session",
                "responses": {
                  "303": {
                    "description": "cookie cleared, redirect to /"
                  }
                }
              }
            },
            "/dashboard/fleet": {
              "get": {
                "operationId": "dashboardFleet",
                "tags": [
                  "dashboard"
                ],
                "summary": "The fleet table of one page alone (the page's refresh)",
                "parameters": [
                  {
                    "name": "health",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this health",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "healthy",
                        "degraded",
                        "down"
                      ]
                    }
                  },
                  {
                    "name": "network",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this network kind",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "wireless",
                        "wired"
                      ]
                    }
                  },
                  {
                    "name": "search",
                    "in": "query",
                    "required": false,
                    "description": "case-insensitive text in the group's name or a member's hostname or IP address",
                    "schema": {
                      "type": "string",
                      "maxLength": 128
                    }
                  },
                  {
                    "name": "page",
                    "in": "query",
                    "required": false,
                    "description": "page of 50 groups, from 1",
                    "schema": {
                      "type": "integer",
                      "minimum": 1
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "HTML fragment",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  }
                }
              }
            },
            "/dashboard/groups/{tokenId}": {
              "get": {
                "operationId": "dashboardGroup",
                "tags": [
                  "dashboard"
                ],
                "summary": "One HA group's card: members, flags, FastLocate, devices, failovers, the last hour's charts",
                "parameters": [
                  {
                    "name": "tokenId",
                    "in": "path",
                    "required": true,
                    "description": "the group's token id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "HTML page",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "303": {
                    "description": "no session: redirect to the sign-in form"
                  },
                  "404": {
                    "description": "HTML page: this tenant has no such group",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/dashboard/connectors/{id}": {
              "get": {
                "operationId": "dashboardConnector",
                "tags": [
                  "dashboard"
                ],
                "summary": "A connector's page",
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "connector id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "HTML page",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "303": {
                    "description": "no session: redirect to /"
                  },
                  "404": {
                    "description": "HTML page: this tenant has no such connector",
                    "content": {
                      "text/html": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "healthz",
                "tags": [
                  "health"
                ],
                "summary": "The process answers",
                "responses": {
                  "200": {
                    "description": "alive",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Health"
                        },
                        "example": {
                          "status": "ok",
                          "reason": null
                        }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readyz",
                "tags": [
                  "health"
                ],
                "summary": "PostgreSQL answers and every migration is applied; says whether commits are synchronously replicated",
                "responses": {
                  "200": {
                    "description": "ready",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Health"
                        },
                        "example": {
                          "status": "ready",
                          "database": {
                            "commitsSynchronous": true,
                            "synchronousStandbys": 1,
                            "standbys": 2,
                            "summary": "synchronous: a commit returns once 1 standby(s) have it (2 streaming)"
                          }
                        }
                      }
                    }
                  },
                  "503": {
                    "description": "not ready, with the reason",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Health"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "tags": [
                  "health"
                ],
                "summary": "Prometheus text exposition",
                "security": [
                  {},
                  {
                    "metricsToken": []
                  }
                ],
                "responses": {
                  "200": {
                    "description": "every series",
                    "content": {
                      "text/plain": {
                        "schema": {
                          "type": "string"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "openapi",
                "tags": [
                  "health"
                ],
                "summary": "This document",
                "responses": {
                  "200": {
                    "description": "OpenAPI 3.1",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object"
                        }
                      }
                    }
                  }
                }
              }
            },
            "/api/v1/tokens": {
              "post": {
                "operationId": "createToken",
                "tags": [
                  "tokens"
                ],
                "summary": "Issues a connector token (and its HA group)",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/TokenRequest"
                      },
                      "example": {
                        "connectorName": "Store 12",
                        "network": "wireless"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "the token; its secret is shown this once",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/IssuedToken"
                        },
                        "example": {
                          "id": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                          "token": "tdt_…",
                          "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                          "connectorName": "Store 12",
                          "network": "wireless",
                          "createdAt": "2026-11-25T10:00:00Z"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              },
              "get": {
                "operationId": "listTokens",
                "tags": [
                  "tokens"
                ],
                "summary": "The tenant's tokens, newest first, never the secret",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Limit"
                  },
                  {
                    "$ref": "#/components/parameters/Cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "tokens",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/TokenList"
                        },
                        "example": {
                          "tokens": [
                            {
                              "id": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                              "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                              "connectorName": "Store 12",
                              "network": "wireless",
                              "createdAt": "2026-11-25T10:00:00Z",
                              "revokedAt": null,
                              "active": true
                            }
                          ],
                          "nextCursor": null
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/tokens/{id}": {
              "get": {
                "operationId": "getToken",
                "tags": [
                  "tokens"
                ],
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "token id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "the token",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Token"
                        },
                        "example": {
                          "id": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                          "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                          "connectorName": "Store 12",
                          "network": "wireless",
                          "createdAt": "2026-11-25T10:00:00Z",
                          "revokedAt": null,
                          "active": true
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              },
              "delete": {
                "operationId": "revokeToken",
                "tags": [
                  "tokens"
                ],
                "summary": "Revokes it (idempotent)",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "token id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "the revoked token",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Token"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/analysts": {
              "post": {
                "operationId": "createAnalyst",
                "tags": [
                  "analysts"
                ],
                "summary": "Creates an analyst login: a PostgreSQL role that reads this tenant's analyst_* views and nothing else",
                "description": "The role gets the server's --analyst-connection-limit and --analyst-statement-timeout. Tandem's database role needs CREATEROLE; without it the answer is 500 with a message saying what to grant.",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/AnalystRequest"
                      },
                      "example": {
                        "name": "reporting"
                      }
                    }
                  }
                },
                "responses": {
                  "201": {
                    "description": "the login; its password is shown this once",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/IssuedAnalyst"
                        },
                        "example": {
                          "id": "5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0",
                          "role": "tandem_analyst_5f0e1d2c3b4a49588776a5b4c3d2e1f0",
                          "password": "tda_…",
                          "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                          "name": "reporting",
                          "createdAt": "2026-11-25T10:00:00Z"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              },
              "get": {
                "operationId": "listAnalysts",
                "tags": [
                  "analysts"
                ],
                "summary": "The tenant's analyst logins, newest first, never the password",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Limit"
                  },
                  {
                    "$ref": "#/components/parameters/Cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "analysts",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/AnalystList"
                        },
                        "example": {
                          "analysts": [
                            {
                              "id": "5f0e1d2c-3b4a-4958-8776-a5b4c3d2e1f0",
                              "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                              "role": "tandem_analyst_5f0e1d2c3b4a49588776a5b4c3d2e1f0",
                              "name": "reporting",
                              "createdAt": "2026-11-25T10:00:00Z",
                              "revokedAt": null,
                              "active": true
                            }
                          ],
                          "nextCursor": null
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/analysts/{id}": {
              "delete": {
                "operationId": "revokeAnalyst",
                "tags": [
                  "analysts"
                ],
                "summary": "Revokes it (idempotent): the role can no longer log in and its open sessions are ended",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "analyst id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "the revoked analyst",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Analyst"
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/connectors": {
              "get": {
                "operationId": "listConnectors",
                "tags": [
                  "connectors"
                ],
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Limit"
                  },
                  {
                    "$ref": "#/components/parameters/Cursor"
                  },
                  {
                    "name": "status",
                    "in": "query",
                    "required": false,
                    "description": "only connectors whose control channel is active or inactive",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "active",
                        "inactive"
                      ]
                    }
                  },
                  {
                    "name": "network",
                    "in": "query",
                    "required": false,
                    "description": "only connectors of wireless or wired groups",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "wireless",
                        "wired"
                      ]
                    }
                  },
                  {
                    "name": "search",
                    "in": "query",
                    "required": false,
                    "description": "case-insensitive text found in the connector name, hostname or IP address",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 128
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "connectors",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ConnectorList"
                        },
                        "example": {
                          "connectors": [
                            {
                              "id": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                              "name": "Store 12",
                              "version": "v2.0.446",
                              "ovaVersion": "2.3.460",
                              "ipAddress": "10.0.0.1",
                              "numberOfControllers": 1,
                              "numberOfAPs": 0,
                              "status": "active",
                              "group": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40"
                            }
                          ],
                          "nextCursor": null
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                },
                "summary": "The tenant's connectors, a page at a time, ordered by group and connector id"
              }
            },
            "/api/v1/connectors/{id}": {
              "get": {
                "operationId": "getConnector",
                "tags": [
                  "connectors"
                ],
                "summary": "The connector details view (Figure 8)",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "id",
                    "in": "path",
                    "required": true,
                    "description": "connector id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "details",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ConnectorDetails"
                        },
                        "example": {
                          "connectorName": "Store 12",
                          "connectorVersion": "v2.0.446",
                          "ovaVersion": "2.3.460",
                          "connectorId": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                          "numberOfAssociatedControllers": 1,
                          "controlChannel": {
                            "status": "active",
                            "connectedAt": "2026-11-25T10:00:00Z",
                            "connectionDurationSeconds": 3600
                          },
                          "dataChannel": {
                            "status": "active",
                            "connectedAt": "2026-11-25T10:00:00Z",
                            "connectionDurationSeconds": 3600
                          },
                          "lastModified": "2026-11-25T10:00:00Z",
                          "lastHeard": "2026-11-25T10:00:00Z",
                          "macAddress": "00:0c:29:00:00:01",
                          "ipAddress": "10.0.0.1",
                          "dataChannelNmspMessages": 1200,
                          "nmspMessagesReceived": 42,
                          "haActive": [
                            "10.0.0.1",
                            "10.0.0.2"
                          ],
                          "hostname": "connector-1",
                          "tenantId": "2b0c8f6e-54b4-4b8e-9a51-0d3f1b6c2e11",
                          "tokenId": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                          "instanceId": "c1",
                          "channels": [
                            "controller",
                            "accessPoint"
                          ],
                          "controllers": [
                            {
                              "ipAddress": "172.20.239.66",
                              "connectedAt": "2026-11-25T10:00:00Z",
                              "messageRate": 58.0,
                              "status": "ACTIVE"
                            }
                          ],
                          "tdlIncomingCount": 0,
                          "tdlIncomingRate": 0.0,
                          "accessPointChannel": {
                            "incomingCount": 0,
                            "incomingRate": 0.0,
                            "outgoingCount": 0,
                            "outgoingRate": 0.0,
                            "activeConnections": 0
                          }
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/controllers": {
              "get": {
                "operationId": "listControllers",
                "tags": [
                  "controllers"
                ],
                "summary": "Each controller and the connectors connected to it (Figure 10)",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Limit"
                  },
                  {
                    "$ref": "#/components/parameters/Cursor"
                  }
                ],
                "responses": {
                  "200": {
                    "description": "controllers",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/ControllerList"
                        },
                        "example": {
                          "controllers": [
                            {
                              "ipAddress": "172.20.239.66",
                              "names": [
                                "wlc-1"
                              ],
                              "configuredIn": [
                                "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40"
                              ],
                              "connections": [
                                {
                                  "connectorId": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                                  "hostname": "connector-1",
                                  "connectorIpAddress": "10.0.0.1",
                                  "groupId": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                                  "active": true,
                                  "status": "ACTIVE",
                                  "connectedAt": "2026-11-25T10:00:00Z",
                                  "messageRate": 58.0
                                }
                              ],
                              "activeConnections": 1,
                              "seenByOneMemberOnly": [],
                              "flagged": false
                            }
                          ],
                          "nextCursor": null
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  }
                }
              }
            },
            "/api/v1/controllers/{ip}": {
              "get": {
                "operationId": "getController",
                "tags": [
                  "controllers"
                ],
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "ip",
                    "in": "path",
                    "required": true,
                    "description": "controller IP address",
                    "schema": {
                      "type": "string"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "the controller",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Controller"
                        },
                        "example": {
                          "ipAddress": "172.20.239.66",
                          "names": [
                            "wlc-1"
                          ],
                          "configuredIn": [
                            "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40"
                          ],
                          "connections": [
                            {
                              "connectorId": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                              "hostname": "connector-1",
                              "connectorIpAddress": "10.0.0.1",
                              "groupId": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                              "active": true,
                              "status": "ACTIVE",
                              "connectedAt": "2026-11-25T10:00:00Z",
                              "messageRate": 58.0
                            }
                          ],
                          "activeConnections": 1,
                          "seenByOneMemberOnly": [],
                          "flagged": false
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/ha-groups": {
              "get": {
                "operationId": "listHAGroups",
                "tags": [
                  "ha-groups"
                ],
                "summary": "The tenant's live HA groups with their health and members, a page at a time, in token-id order",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "$ref": "#/components/parameters/Limit"
                  },
                  {
                    "$ref": "#/components/parameters/Cursor"
                  },
                  {
                    "name": "health",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this health",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "healthy",
                        "degraded",
                        "down"
                      ]
                    }
                  },
                  {
                    "name": "network",
                    "in": "query",
                    "required": false,
                    "description": "only groups of this network kind",
                    "schema": {
                      "type": "string",
                      "enum": [
                        "wireless",
                        "wired"
                      ]
                    }
                  },
                  {
                    "name": "search",
                    "in": "query",
                    "required": false,
                    "description": "case-insensitive text in the group's name or a member's hostname or IP address",
                    "schema": {
                      "type": "string",
                      "minLength": 1,
                      "maxLength": 128
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "groups",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HAGroupList"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/ha-groups/{tokenId}": {
              "get": {
                "operationId": "getHAGroup",
                "tags": [
                  "ha-groups"
                ],
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "tokenId",
                    "in": "path",
                    "required": true,
                    "description": "token (HA group) id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "responses": {
                  "200": {
                    "description": "the group",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HAGroup"
                        },
                        "example": {
                          "tokenId": "8d1f4c2a-6f0e-4c1b-9f62-3c7b9a1e5d40",
                          "connectorName": "Store 12",
                          "network": "wireless",
                          "haActive": [
                            "10.0.0.1",
                            "10.0.0.2"
                          ],
                          "health": "healthy",
                          "splitAcrossNodes": false,
                          "members": [
                            {
                              "connectorId": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                              "ipAddress": "10.0.0.1",
                              "status": "active",
                              "ovaVersion": "2.3.460",
                              "channels": [
                                "controller",
                                "accessPoint"
                              ],
                              "lastHeard": "2026-11-25T10:00:00Z"
                            }
                          ],
                          "reprovision": {
                            "hyperlocation": false,
                            "iot": false
                          },
                          "fastLocate": {
                            "state": "flowing",
                            "since": "2026-11-25T10:00:00Z"
                          },
                          "configurationModifiedAt": "2026-11-25T10:00:00Z",
                          "history": [
                            {
                              "kind": "joined",
                              "connectorId": "5e9a7b13-2c4d-4f8e-8b1a-9d6c3e2f1a07",
                              "peerConnectorId": null,
                              "ipAddress": "10.0.0.1",
                              "detail": "",
                              "occurredAt": "2026-11-25T10:00:00Z"
                            }
                          ]
                        }
                      }
                    }
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/ha-groups/{tokenId}/controllers": {
              "put": {
                "operationId": "putControllers",
                "tags": [
                  "ha-groups"
                ],
                "summary": "Replaces a wireless group's controllers and pushes them",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "tokenId",
                    "in": "path",
                    "required": true,
                    "description": "token (HA group) id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/DevicesRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "the configuration",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Devices"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/ha-groups/{tokenId}/switches": {
              "put": {
                "operationId": "putSwitches",
                "tags": [
                  "ha-groups"
                ],
                "summary": "Replaces a wired group's switches and pushes them",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "tokenId",
                    "in": "path",
                    "required": true,
                    "description": "token (HA group) id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/DevicesRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "the configuration",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/Devices"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            },
            "/api/v1/ha-groups/{tokenId}/reprovision": {
              "post": {
                "operationId": "reprovision",
                "tags": [
                  "ha-groups"
                ],
                "summary": "Clears the reprovision flags and asks the members to reprovision",
                "security": [
                  {
                    "apiKey": []
                  }
                ],
                "parameters": [
                  {
                    "name": "tokenId",
                    "in": "path",
                    "required": true,
                    "description": "token (HA group) id",
                    "schema": {
                      "type": "string",
                      "format": "uuid"
                    }
                  }
                ],
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": {
                      "schema": {
                        "$ref": "#/components/schemas/ReprovisionRequest"
                      }
                    }
                  }
                },
                "responses": {
                  "200": {
                    "description": "the group",
                    "content": {
                      "application/json": {
                        "schema": {
                          "$ref": "#/components/schemas/HAGroup"
                        }
                      }
                    }
                  },
                  "400": {
                    "$ref": "#/components/responses/BadRequest"
                  },
                  "401": {
                    "$ref": "#/components/responses/Unauthorized"
                  },
                  "404": {
                    "$ref": "#/components/responses/NotFound"
                  },
                  "408": {
                    "$ref": "#/components/responses/RequestTimeout"
                  },
                  "413": {
                    "$ref": "#/components/responses/PayloadTooLarge"
                  },
                  "415": {
                    "$ref": "#/components/responses/UnsupportedMediaType"
                  },
                  "429": {
                    "$ref": "#/components/responses/TooManyRequests"
                  }
                }
              }
            }
          },
          "components": {
            "schemas": {
              "Error": {
                "type": "object",
                "required": [
                  "error"
                ],
                "properties": {
                  "error": {
                    "type": "object",
                    "required": [
                      "code",
                      "message"
                    ],
                    "properties": {
                      "code": {
                        "type": "string",
                        "description": "stable machine-readable code",
                        "enum": [
                          "unauthorized",
                          "too_many_failed_authentications",
                          "body_too_large",
                          "request_timeout",
                          "not_found",
                          "method_not_allowed",
                          "invalid_field",
                          "invalid_json",
                          "unsupported_media_type",
                          "http_error",
                          "internal"
                        ]
                      },
                      "message": {
                        "type": "string",
                        "description": "what happened and what to do"
                      },
                      "field": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "description": "the request field at fault"
                      }
                    }
                  }
                }
              },
              "Health": {
                "type": "object",
                "required": [
                  "status"
                ],
                "properties": {
                  "status": {
                    "type": "string"
                  },
                  "reason": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "database": {
                    "description": "readyz only: whether a commit (and so an ack) is on a synchronous standby too when it returns",
                    "type": "object",
                    "required": [
                      "commitsSynchronous",
                      "synchronousStandbys",
                      "standbys",
                      "summary"
                    ],
                    "properties": {
                      "commitsSynchronous": {
                        "type": "boolean"
                      },
                      "synchronousStandbys": {
                        "type": "integer"
                      },
                      "standbys": {
                        "type": "integer"
                      },
                      "summary": {
                        "type": "string"
                      }
                    }
                  }
                }
              },
              "NetworkKind": {
                "type": "string",
                "enum": [
                  "wireless",
                  "wired"
                ]
              },
              "TokenRequest": {
                "type": "object",
                "required": [
                  "connectorName"
                ],
                "properties": {
                  "connectorName": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 128
                  },
                  "network": {
                    "$ref": "#/components/schemas/NetworkKind"
                  }
                }
              },
              "IssuedToken": {
                "type": "object",
                "required": [
                  "id",
                  "token",
                  "tenantId",
                  "connectorName",
                  "network",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "token": {
                    "type": "string",
                    "description": "the secret, shown this once"
                  },
                  "tenantId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "connectorName": {
                    "type": "string"
                  },
                  "network": {
                    "$ref": "#/components/schemas/NetworkKind"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Token": {
                "type": "object",
                "required": [
                  "id",
                  "tenantId",
                  "connectorName",
                  "network",
                  "createdAt",
                  "active"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "tenantId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "connectorName": {
                    "type": "string"
                  },
                  "network": {
                    "$ref": "#/components/schemas/NetworkKind"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "revokedAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "active": {
                    "type": "boolean"
                  }
                }
              },
              "TokenList": {
                "type": "object",
                "required": [
                  "tokens",
                  "nextCursor"
                ],
                "properties": {
                  "tokens": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Token"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "pass as `cursor` for the next page; `null` on the last page"
                  }
                }
              },
              "AnalystRequest": {
                "type": "object",
                "required": [
                  "name"
                ],
                "properties": {
                  "name": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 128
                  }
                }
              },
              "IssuedAnalyst": {
                "type": "object",
                "required": [
                  "id",
                  "role",
                  "password",
                  "tenantId",
                  "name",
                  "createdAt"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "role": {
                    "type": "string",
                    "description": "the PostgreSQL role to log in as"
                  },
                  "password": {
                    "type": "string",
                    "description": "the role's password, shown this once"
                  },
                  "tenantId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "name": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "Analyst": {
                "type": "object",
                "required": [
                  "id",
                  "tenantId",
                  "role",
                  "name",
                  "createdAt",
                  "active"
                ],
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "tenantId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "role": {
                    "type": "string"
                  },
                  "name": {
                    "type": "string"
                  },
                  "createdAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "revokedAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "active": {
                    "type": "boolean"
                  }
                }
              },
              "AnalystList": {
                "type": "object",
                "required": [
                  "analysts",
                  "nextCursor"
                ],
                "properties": {
                  "analysts": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Analyst"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "pass as `cursor` for the next page; `null` on the last page"
                  }
                }
              },
              "ConnectorSummary": {
                "type": "object",
                "properties": {
                  "id": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "name": {
                    "type": "string"
                  },
                  "version": {
                    "type": "string"
                  },
                  "ovaVersion": {
                    "type": "string"
                  },
                  "ipAddress": {
                    "type": "string"
                  },
                  "numberOfControllers": {
                    "type": "integer"
                  },
                  "numberOfAPs": {
                    "type": "integer"
                  },
                  "status": {
                    "type": "string"
                  },
                  "group": {
                    "type": "string",
                    "format": "uuid"
                  }
                }
              },
              "ConnectorList": {
                "type": "object",
                "required": [
                  "connectors",
                  "nextCursor"
                ],
                "properties": {
                  "connectors": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ConnectorSummary"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "pass as `cursor` for the next page; `null` on the last page"
                  }
                }
              },
              "ChannelStatus": {
                "type": "object",
                "properties": {
                  "status": {
                    "type": "string",
                    "enum": [
                      "active",
                      "inactive"
                    ]
                  },
                  "connectedAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "connectionDurationSeconds": {
                    "type": [
                      "integer",
                      "null"
                    ]
                  }
                }
              },
              "ControllerStatistics": {
                "type": "object",
                "properties": {
                  "ipAddress": {
                    "type": "string"
                  },
                  "connectedAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "messageRate": {
                    "type": "number"
                  },
                  "status": {
                    "type": "string"
                  }
                }
              },
              "AccessPointChannel": {
                "type": "object",
                "properties": {
                  "incomingCount": {
                    "type": "integer"
                  },
                  "incomingRate": {
                    "type": "number"
                  },
                  "outgoingCount": {
                    "type": "integer"
                  },
                  "outgoingRate": {
                    "type": "number"
                  },
                  "activeConnections": {
                    "type": "integer"
                  }
                }
              },
              "ConnectorDetails": {
                "type": "object",
                "description": "The connector details view (the product document's Figure 8) and more.",
                "properties": {
                  "connectorName": {
                    "type": "string"
                  },
                  "connectorVersion": {
                    "type": "string"
                  },
                  "ovaVersion": {
                    "type": "string"
                  },
                  "connectorId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "numberOfAssociatedControllers": {
                    "type": "integer"
                  },
                  "controlChannel": {
                    "$ref": "#/components/schemas/ChannelStatus"
                  },
                  "dataChannel": {
                    "$ref": "#/components/schemas/ChannelStatus"
                  },
                  "lastModified": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "lastHeard": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "macAddress": {
                    "type": "string"
                  },
                  "ipAddress": {
                    "type": "string"
                  },
                  "dataChannelNmspMessages": {
                    "type": "integer"
                  },
                  "nmspMessagesReceived": {
                    "type": "integer"
                  },
                  "haActive": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "hostname": {
                    "type": "string"
                  },
                  "tenantId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "tokenId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "instanceId": {
                    "type": "string"
                  },
                  "channels": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "controllers": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ControllerStatistics"
                    }
                  },
                  "tdlIncomingCount": {
                    "type": "integer"
                  },
                  "tdlIncomingRate": {
                    "type": "number"
                  },
                  "accessPointChannel": {
                    "$ref": "#/components/schemas/AccessPointChannel"
                  }
                }
              },
              "HAGroupMember": {
                "type": "object",
                "properties": {
                  "connectorId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "ipAddress": {
                    "type": "string"
                  },
                  "status": {
                    "type": "string"
                  },
                  "ovaVersion": {
                    "type": "string"
                  },
                  "channels": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "lastHeard": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  }
                }
              },
              "HAHistoryEntry": {
                "type": "object",
                "properties": {
                  "kind": {
                    "type": "string",
                    "enum": [
                      "joined",
                      "lost",
                      "failover",
                      "recovered"
                    ]
                  },
                  "connectorId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "peerConnectorId": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "uuid"
                  },
                  "ipAddress": {
                    "type": "string"
                  },
                  "detail": {
                    "type": "string"
                  },
                  "occurredAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "HAGroup": {
                "type": "object",
                "properties": {
                  "tokenId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "connectorName": {
                    "type": "string"
                  },
                  "network": {
                    "$ref": "#/components/schemas/NetworkKind"
                  },
                  "haActive": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "health": {
                    "type": "string",
                    "enum": [
                      "healthy",
                      "degraded",
                      "down"
                    ]
                  },
                  "splitAcrossNodes": {
                    "type": "boolean",
                    "description": "The active members are held by different Tandem nodes (the balancer did not keep the pair together, e.g. right after a node failed). Dedup stays exact; missed-by-peer and copy lag are not measured for the pair meanwhile."
                  },
                  "members": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/HAGroupMember"
                    }
                  },
                  "reprovision": {
                    "type": "object",
                    "properties": {
                      "hyperlocation": {
                        "type": "boolean"
                      },
                      "iot": {
                        "type": "boolean"
                      }
                    }
                  },
                  "fastLocate": {
                    "type": "object",
                    "properties": {
                      "state": {
                        "type": "string",
                        "enum": [
                          "flowing",
                          "re-establishing",
                          "overdue",
                          "stopped"
                        ],
                        "description": "flowing; re-establishing (for up to 4 minutes after a failover); overdue (longer); stopped (no active member)"
                      },
                      "since": {
                        "type": [
                          "string",
                          "null"
                        ],
                        "format": "date-time"
                      }
                    }
                  },
                  "configurationModifiedAt": {
                    "type": "string",
                    "format": "date-time"
                  },
                  "history": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/HAHistoryEntry"
                    }
                  }
                }
              },
              "Device": {
                "type": "object",
                "required": [
                  "ipAddress"
                ],
                "properties": {
                  "ipAddress": {
                    "type": "string",
                    "maxLength": 64
                  },
                  "name": {
                    "type": "string",
                    "maxLength": 128
                  }
                }
              },
              "DevicesRequest": {
                "type": "object",
                "required": [
                  "devices"
                ],
                "properties": {
                  "devices": {
                    "type": "array",
                    "maxItems": 1000,
                    "items": {
                      "$ref": "#/components/schemas/Device"
                    }
                  }
                }
              },
              "Devices": {
                "type": "object",
                "properties": {
                  "network": {
                    "$ref": "#/components/schemas/NetworkKind"
                  },
                  "devices": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Device"
                    }
                  },
                  "modifiedAt": {
                    "type": "string",
                    "format": "date-time"
                  }
                }
              },
              "ReprovisionRequest": {
                "type": "object",
                "required": [
                  "services"
                ],
                "properties": {
                  "services": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                      "type": "string",
                      "enum": [
                        "hyperlocation",
                        "iot"
                      ]
                    }
                  }
                }
              },
              "ControllerConnection": {
                "type": "object",
                "properties": {
                  "connectorId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "hostname": {
                    "type": "string"
                  },
                  "connectorIpAddress": {
                    "type": "string"
                  },
                  "groupId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "active": {
                    "type": "boolean"
                  },
                  "status": {
                    "type": "string"
                  },
                  "connectedAt": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time"
                  },
                  "messageRate": {
                    "type": "number"
                  }
                }
              },
              "Controller": {
                "type": "object",
                "properties": {
                  "ipAddress": {
                    "type": "string"
                  },
                  "names": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    }
                  },
                  "configuredIn": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  "connections": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/ControllerConnection"
                    }
                  },
                  "activeConnections": {
                    "type": "integer"
                  },
                  "seenByOneMemberOnly": {
                    "type": "array",
                    "items": {
                      "type": "string",
                      "format": "uuid"
                    }
                  },
                  "flagged": {
                    "type": "boolean"
                  }
                }
              },
              "ControllerList": {
                "type": "object",
                "required": [
                  "controllers",
                  "nextCursor"
                ],
                "properties": {
                  "controllers": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/Controller"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "pass as `cursor` for the next page; `null` on the last page"
                  }
                }
              },
              "HAGroupSummary": {
                "type": "object",
                "required": [
                  "tokenId",
                  "connectorName",
                  "network",
                  "health",
                  "haActive",
                  "members",
                  "eventsPerSecond"
                ],
                "properties": {
                  "tokenId": {
                    "type": "string",
                    "format": "uuid"
                  },
                  "connectorName": {
                    "type": "string"
                  },
                  "network": {
                    "type": "string",
                    "enum": [
                      "wireless",
                      "wired"
                    ]
                  },
                  "health": {
                    "type": "string",
                    "enum": [
                      "healthy",
                      "degraded",
                      "down"
                    ],
                    "description": "2 or more active members, 1, or none"
                  },
                  "haActive": {
                    "type": "array",
                    "items": {
                      "type": "string"
                    },
                    "description": "IP addresses of the active members, in join order"
                  },
                  "members": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": [
                        "connectorId",
                        "hostname",
                        "ipAddress",
                        "status"
                      ],
                      "properties": {
                        "connectorId": {
                          "type": "string",
                          "format": "uuid"
                        },
                        "hostname": {
                          "type": "string"
                        },
                        "ipAddress": {
                          "type": "string"
                        },
                        "status": {
                          "type": "string",
                          "enum": [
                            "active",
                            "inactive"
                          ]
                        },
                        "lastHeard": {
                          "type": [
                            "string",
                            "null"
                          ],
                          "format": "date-time"
                        }
                      }
                    }
                  },
                  "lastFailover": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "format": "date-time",
                    "description": "the latest failover; absent when the group never failed over"
                  },
                  "eventsPerSecond": {
                    "type": "number",
                    "description": "distinct events per second stored over the last 5 minutes"
                  }
                }
              },
              "HAGroupList": {
                "type": "object",
                "required": [
                  "groups",
                  "nextCursor"
                ],
                "properties": {
                  "groups": {
                    "type": "array",
                    "items": {
                      "$ref": "#/components/schemas/HAGroupSummary"
                    }
                  },
                  "nextCursor": {
                    "type": [
                      "string",
                      "null"
                    ],
                    "description": "pass as `cursor` for the next page; `null` on the last page"
                  }
                }
              }
            },
            "securitySchemes": {
              "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "the tenant's operator API key (tdk_…)"
              },
              "metricsToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "the --metrics-token, when the service sets one"
              }
            },
            "responses": {
              "Unauthorized": {
                "description": "missing, unknown or revoked credentials (not told apart)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "unauthorized",
                        "message": "missing, unknown or revoked API key: send Authorization: Bearer <operator API key>",
                        "field": null
                      }
                    }
                  }
                }
              },
              "NotFound": {
                "description": "not found for this tenant (another tenant's ids look the same as unknown ones)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "not_found",
                        "message": "HA group not found",
                        "field": null
                      }
                    }
                  }
                }
              },
              "BadRequest": {
                "description": "invalid input (`invalid_field` names the field; `invalid_json` for a body that is not JSON)",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "invalid_field",
                        "message": "connectorName: must be 1 to 128 characters",
                        "field": "connectorName"
                      }
                    }
                  }
                }
              },
              "RequestTimeout": {
                "description": "the body did not arrive within the body timeout (--http-body-timeout); the connection is closed",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "request_timeout",
                        "message": "the request body did not arrive within 10 s; send it at once",
                        "field": null
                      }
                    }
                  }
                }
              },
              "PayloadTooLarge": {
                "description": "body over 64 KiB",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "body_too_large",
                        "message": "the request body is larger than 65536 bytes",
                        "field": null
                      }
                    }
                  }
                }
              },
              "UnsupportedMediaType": {
                "description": "not application/json",
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "unsupported_media_type",
                        "message": "send the body as application/json",
                        "field": null
                      }
                    }
                  }
                }
              },
              "TooManyRequests": {
                "description": "too many failed authentications from this address: wait `Retry-After` seconds",
                "headers": {
                  "Retry-After": {
                    "description": "seconds to wait",
                    "schema": {
                      "type": "integer"
                    }
                  }
                },
                "content": {
                  "application/json": {
                    "schema": {
                      "$ref": "#/components/schemas/Error"
                    },
                    "example": {
                      "error": {
                        "code": "too_many_failed_authentications",
                        "message": "too many failed authentications from this address: retry after 30 s"
                      }
                    }
                  }
                }
              }
            },
            "parameters": {
              "Limit": {
                "name": "limit",
                "in": "query",
                "required": false,
                "description": "items per page, 1 to 1000 (default 100)",
                "schema": {
                  "type": "integer",
                  "minimum": 1,
                  "maximum": 1000,
                  "default": 100
                }
              },
              "Cursor": {
                "name": "cursor",
                "in": "query",
                "required": false,
                "description": "the `nextCursor` of the previous page, as returned (opaque); without it the first page",
                "schema": {
                  "type": "string",
                  "maxLength": 1024
                }
              }
            }
          }
        }
        """#
}
